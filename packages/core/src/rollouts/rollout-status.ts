/** A rollout's status (what `GetRollout` and `nucleon rollout show` report). */
export const RolloutStatus = {
  IN_PROGRESS: 'IN_PROGRESS',
  PAUSED: 'PAUSED',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  ROLLED_BACK: 'ROLLED_BACK',
  ABORTED: 'ABORTED',
} as const;
export type RolloutStatus = (typeof RolloutStatus)[keyof typeof RolloutStatus];

/** What an IN_PROGRESS (or PAUSED) rollout is doing in its current wave. */
export const RolloutPhase = {
  DEPLOYING: 'DEPLOYING',
  BAKING: 'BAKING',
  ROLLING_BACK: 'ROLLING_BACK',
  DONE: 'DONE',
} as const;
export type RolloutPhase = (typeof RolloutPhase)[keyof typeof RolloutPhase];

/** One instance's place in a rollout. */
export const RolloutInstanceState = {
  PENDING: 'PENDING',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  ROLLBACK_PENDING: 'ROLLBACK_PENDING',
  ROLLING_BACK: 'ROLLING_BACK',
  ROLLED_BACK: 'ROLLED_BACK',
  ROLLBACK_FAILED: 'ROLLBACK_FAILED',
  SKIPPED: 'SKIPPED',
} as const;
export type RolloutInstanceState = (typeof RolloutInstanceState)[keyof typeof RolloutInstanceState];

/** Statuses a rollout may move to `to` from: the guard of every status change. */
export function rolloutSourcesOf(to: RolloutStatus): RolloutStatus[] {
  switch (to) {
    case 'PAUSED':
      return ['IN_PROGRESS'];
    case 'IN_PROGRESS':
      return ['PAUSED'];
    case 'ABORTED':
      return ['IN_PROGRESS', 'PAUSED'];
    case 'SUCCEEDED':
    case 'FAILED':
    case 'ROLLED_BACK':
      return ['IN_PROGRESS'];
  }
}

export function isRolloutTerminal(status: RolloutStatus): boolean {
  return (
    status === 'SUCCEEDED' ||
    status === 'FAILED' ||
    status === 'ROLLED_BACK' ||
    status === 'ABORTED'
  );
}
