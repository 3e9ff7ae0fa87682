/**
 * The port for CodeBuild-style provisioning (spec §5.4): a template's `provision` or
 * `deprovision` commands run for one deployment. The deployment worker owns the workspace,
 * the inputs file and the environment; a runner only executes, streams and reports.
 */

/** One line of a command's output, delivered as soon as it is complete. */
export interface CommandOutputLine {
  stream: 'stdout' | 'stderr';
  /** The line without its newline; lines longer than the runner's cap end in a truncation marker. */
  text: string;
  at: Date;
}

export interface CommandRunRequest {
  /** An existing private workspace: the bundle's infrastructure folder plus `proton-inputs.json`. */
  workdir: string;
  /**
   * The manifest's commands (trusted template-author code). They run in order in ONE shell so
   * `cd` and `export` carry over, as in CodeBuild; the first failing command stops the run.
   */
  commands: readonly string[];
  /**
   * The complete environment. Nothing of the server's own environment leaks in; only a safe
   * `PATH`, `HOME` and `LANG` are filled in when absent.
   */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Aborting cancels the run: the whole process group is terminated. */
  signal?: AbortSignal;
  /** Every output line, streamed as it arrives; a partial last line is flushed at the end. */
  onOutput(line: CommandOutputLine): void;
  /** What a remote runner started (the build id, the Job's name), for the deployment log. */
  onNotice?(message: string): void;
  /**
   * Who the run is for. Remote runners name, tag and label what they create after it (ADR 0026)
   * and run the commands as `serviceRoleArn` (CodeBuild) or their service account (Kubernetes).
   */
  deployment?: RunIdentity;
}

/** The deployment a run belongs to, and the manifest settings a build service honours. */
export interface RunIdentity {
  deploymentId: string;
  resourceArn: string;
  /** The environment's codebuildRoleArn (CodeBuild's service role for this build). */
  serviceRoleArn?: string | undefined;
  /** The manifest's `image`; the runner's default image when absent. */
  image?: string | undefined;
  /** The manifest's `runtimes` (buildspec `runtime-versions`). */
  runtimes?: Readonly<Record<string, string>> | undefined;
}

/** How a run ended. A const object plus a union, so switches over it stay exhaustive. */
export const CommandRunOutcome = {
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  CANCELLED: 'CANCELLED',
} as const;
export type CommandRunOutcome = (typeof CommandRunOutcome)[keyof typeof CommandRunOutcome];

export interface CommandRunResult {
  /** Decided by the shell's exit status, or by who stopped it (timeout, cancel). */
  outcome: CommandRunOutcome;
  exitCode: number | null;
  /** The signal that ended the shell, e.g. `SIGTERM` after a cancel. */
  signal: string | null;
  /** Zero-based index of the command that failed or was running when the run was stopped. */
  failedCommandIndex?: number;
  /** Human-readable summary that names the failing command and its exit status. */
  message: string;
  durationMs: number;
}

/**
 * Runs a deployment's shell commands. Delivery is at-most-once per call: a crashed worker that
 * calls `run` again re-runs every command, so only idempotent templates are safe to retry.
 */
export interface CommandRunner {
  /** Which adapter this is: `local` (a sandboxed shell here), `codebuild` or `kubernetes`. */
  readonly kind: RunnerKind;
  /**
   * Remote runners copy `workdir` to where the commands run and copy `proton-outputs.json` back
   * into it when the run succeeds. Their commands act with the identity of the place they run
   * (CodeBuild's service role, the pod's service account), so no credentials are minted for them.
   */
  readonly remote: boolean;
  /** How the commands are isolated (or a warning that they are not), for the deployment log. */
  readonly sandboxNotice?: string;
  run(request: CommandRunRequest): Promise<CommandRunResult>;
}

/** The runner adapters (ADR 0026). */
export const RUNNER_KINDS = ['local', 'codebuild', 'kubernetes'] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];
