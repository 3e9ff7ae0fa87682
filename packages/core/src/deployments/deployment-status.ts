/** Proton's DeploymentStatus values. */
export const DeploymentStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  FAILED: 'FAILED',
  SUCCEEDED: 'SUCCEEDED',
  DELETE_IN_PROGRESS: 'DELETE_IN_PROGRESS',
  DELETE_FAILED: 'DELETE_FAILED',
  DELETE_COMPLETE: 'DELETE_COMPLETE',
  CANCELLING: 'CANCELLING',
  CANCELLED: 'CANCELLED',
} as const;
export type DeploymentStatus = (typeof DeploymentStatus)[keyof typeof DeploymentStatus];

const transitions: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  IN_PROGRESS: ['SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'],
  CANCELLING: ['CANCELLED', 'FAILED', 'SUCCEEDED'],
  DELETE_IN_PROGRESS: ['DELETE_COMPLETE', 'DELETE_FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
  DELETE_COMPLETE: [],
  DELETE_FAILED: [],
};

const ALL = Object.values(DeploymentStatus);

/** The deployment state machine: which status may follow which. */
export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return transitions[from].includes(to);
}

/**
 * The statuses a deployment may move to `to` from: the guard (`where status in (...)`) of the
 * one SQL update that makes the move.
 */
export function deploymentSourcesOf(to: DeploymentStatus): DeploymentStatus[] {
  return ALL.filter((from) => canTransition(from, to));
}

/**
 * Statuses of a resource that has no deployment running: a new deployment (IN_PROGRESS or
 * DELETE_IN_PROGRESS) may start only from these.
 */
export function idleStatuses(): DeploymentStatus[] {
  return ALL.filter(isTerminal);
}

/**
 * The status a deployment of `operation` ends in for a requested end: a delete ends in the
 * DELETE_* statuses whatever ended it (an interrupted delete is DELETE_FAILED, never FAILED).
 */
/** Statuses of a deployment that is still running (the complement of the terminal ones). */
export function activeStatuses(): DeploymentStatus[] {
  return ALL.filter((s) => !isTerminal(s));
}

export function endStatus(
  operation: 'DEPLOY' | 'DELETE',
  status: DeploymentStatus,
): DeploymentStatus {
  if (operation === 'DEPLOY') return status;
  if (status === 'SUCCEEDED') return 'DELETE_COMPLETE';
  if (status === 'FAILED' || status === 'CANCELLED') return 'DELETE_FAILED';
  return status;
}

export function isActive(status: string | null | undefined): boolean {
  return status === 'IN_PROGRESS' || status === 'CANCELLING' || status === 'DELETE_IN_PROGRESS';
}

export function isTerminal(status: DeploymentStatus): boolean {
  return transitions[status].length === 0;
}

/**
 * How an engine run ended, as a closed union, mapped to the deployment's final status by an
 * exhaustive switch.
 */
export type EngineOutcome = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED';

export function finalStatus(outcome: EngineOutcome, deleting: boolean): DeploymentStatus {
  switch (outcome) {
    case 'SUCCEEDED':
      return deleting ? 'DELETE_COMPLETE' : 'SUCCEEDED';
    case 'FAILED':
    case 'TIMED_OUT':
      return deleting ? 'DELETE_FAILED' : 'FAILED';
    case 'CANCELLED':
      return deleting ? 'DELETE_FAILED' : 'CANCELLED';
  }
}
