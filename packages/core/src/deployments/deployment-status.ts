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

/** The deployment state machine: which status may follow which. */
export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return transitions[from].includes(to);
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
