/**
 * The port for running Terraform (or OpenTofu) directly on a runner, for environments that choose
 * it instead of Proton's pull-request flow (spec §5.3). The caller writes the `.tf` files and
 * `proton.auto.tfvars.json` into `workdir`; the executor owns how state is kept in `stateDir`.
 */
import type { CommandOutputLine } from './command-runner.js';
import type { EngineResult } from './stack-engine.js';

export interface TerraformRunRequest {
  /** The rendered configuration: bundle `.tf` files plus `proton.auto.tfvars.json`. */
  workdir: string;
  /** A persistent folder owned by this one Proton resource; the state file lives here. */
  stateDir: string;
  /**
   * The environment of the terraform process (credentials, `TF_*`, …). Nothing else is inherited;
   * only non-interactive defaults (`TF_IN_AUTOMATION`, `TF_INPUT=0`, `CHECKPOINT_DISABLE`) and a
   * PATH are added when absent.
   */
  env: Readonly<Record<string, string>>;
  /** Budget for all steps together (init, plan, apply, output). */
  timeoutMs: number;
  /** Abort = cancel: terraform is interrupted like Ctrl-C (SIGINT to its group, later SIGKILL). */
  signal?: AbortSignal;
  /** Terraform's own output, line by line; outputs (which may be sensitive) are never echoed. */
  onOutput(line: CommandOutputLine): void;
}

/** Which binary was found, reported so the deployment log can say what ran. */
export interface TerraformBinary {
  path: string;
  flavor: 'terraform' | 'tofu';
  version: string;
}

/** One resource change of a `terraform plan`, from `show -json <plan>` (`resource_changes`). */
export interface TerraformPlannedChange {
  address: string;
  type: string;
  /** Terraform's actions: ['create'], ['update'], ['delete'], ['delete','create'] (replace)… */
  actions: string[];
  /** The resource's id in state before the change, when it has one. */
  id?: string;
}

export type TerraformPlanResult =
  { ok: true; changes: TerraformPlannedChange[] } | { ok: false; message: string };

/**
 * Applies and destroys one Terraform configuration, and plans it read-only for previews. Both are safe to retry after a crash: state is
 * written by terraform as it goes and a new plan starts from it (at worst a resource that was being
 * created when the process died is unknown to state and must be imported or cleaned up by hand).
 */
export interface TerraformExecutor {
  readonly binary: TerraformBinary;
  apply(request: TerraformRunRequest): Promise<EngineResult>;
  destroy(request: TerraformRunRequest): Promise<EngineResult>;
  /**
   * `init` and `plan` against the resource's state without taking its lock (`-lock=false`) and
   * without applying; the planned changes come from `show -json` of the plan file.
   */
  plan(request: TerraformRunRequest): Promise<TerraformPlanResult>;
}
