/**
 * Runs a codebuild template's optional `drift` commands for one deployed resource (ADR 0023):
 * the same workspace, inputs, environment and runner as its `provision` commands.
 */
export interface DriftCommandRequest {
  /** Names the run's workspace and credentials' session: unique per check. */
  checkId: string;
  resourceArn: string;
  /** The environment the resource belongs to (itself for an environment); picks the runner. */
  environmentName?: string | undefined;
  /** The environment's codebuildRoleArn (or its account connection's). */
  roleArn?: string | undefined;
  /** The infrastructure folder plus proton-inputs.json, exactly as provisioning gets them. */
  files: ReadonlyMap<string, Uint8Array | string>;
  commands: {
    drift: readonly string[];
    env: Readonly<Record<string, string>>;
    image?: string | undefined;
    runtimes?: Readonly<Record<string, string>> | undefined;
  };
  timeoutMs: number;
}

/**
 * IN_SYNC: every command exited 0. DRIFTED: one exited non-zero. NOT_CHECKED: the run timed
 * out, was stopped, or could not start, so nothing is known.
 */
export type DriftCommandStatus = 'IN_SYNC' | 'DRIFTED' | 'NOT_CHECKED';

export interface DriftCommandResult {
  status: DriftCommandStatus;
  exitCode: number | null;
  /** The run's summary (which command failed, with what status). */
  message: string;
  /** The last lines the commands wrote (stdout and stderr, in order), within a few KB. */
  output: string;
}

export interface DriftCommandRunner {
  checkDrift(request: DriftCommandRequest): Promise<DriftCommandResult>;
}
