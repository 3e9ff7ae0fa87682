import type { RolloutInstanceState, RolloutPhase, RolloutStatus } from './rollout-status.js';

export interface RolloutStepInput {
  phase: RolloutPhase;
  /** 0-based index of the current wave. */
  currentWave: number;
  waveCount: number;
  bakeUntil: Date | null;
  now: Date;
  maxInFlight: number;
  bakeSeconds: number;
  /** Failed deployments a wave tolerates; one more fails the wave. */
  failureThreshold: number;
  autoRollback: boolean;
  /** WAVE: roll back only the failed wave's instances; ROLLOUT: every instance the rollout touched. */
  rollbackScope: 'WAVE' | 'ROLLOUT';
  /** Instances in their order, with the outcomes of their deployments already observed. */
  instances: ReadonlyArray<{ id: string; wave: number; state: RolloutInstanceState }>;
  /** Instances of the current wave whose health check failed during the bake, with why. */
  unhealthy: ReadonlyMap<string, string>;
}

export interface RolloutStep {
  /** State changes decided now (recorded in one transaction with `patch`). */
  transitions: Array<{ id: string; to: RolloutInstanceState; message?: string }>;
  /** PENDING instances to deploy to the target version now. */
  start: string[];
  /** ROLLBACK_PENDING instances (after `transitions`) to deploy back now. */
  rollback: string[];
  patch: {
    phase: RolloutPhase;
    currentWave: number;
    bakeUntil: Date | null;
    status?: RolloutStatus;
    message?: string;
  };
}

const TOUCHED: ReadonlySet<RolloutInstanceState> = new Set(['SUCCEEDED', 'FAILED']);

/**
 * One step of a rollout, decided from its persisted state: which instances start, when a wave
 * bakes, when the next wave begins, when a wave has failed and what is rolled back. Pure; the
 * rollout driver applies the step and asks again on its next tick.
 */
export function decideRolloutStep(input: RolloutStepInput): RolloutStep {
  const state = new Map(input.instances.map((i) => [i.id, i.state]));
  const transitions: RolloutStep['transitions'] = [];
  const move = (id: string, to: RolloutInstanceState, message?: string) => {
    state.set(id, to);
    transitions.push(message === undefined ? { id, to } : { id, to, message });
  };
  const inWave = (w: number) => input.instances.filter((i) => i.wave === w).map((i) => i.id);
  const count = (ids: string[], s: RolloutInstanceState) =>
    ids.filter((id) => state.get(id) === s).length;
  const base = {
    phase: input.phase,
    currentWave: input.currentWave,
    bakeUntil: input.bakeUntil,
  };

  if (input.phase === 'ROLLING_BACK') {
    const rollback = input.instances
      .map((i) => i.id)
      .filter((id) => state.get(id) === 'ROLLBACK_PENDING');
    const busy = input.instances.some((i) => state.get(i.id) === 'ROLLING_BACK');
    if (rollback.length > 0 || busy) return { transitions, start: [], rollback, patch: base };
    const failed = input.instances.filter((i) => state.get(i.id) === 'ROLLBACK_FAILED');
    return {
      transitions,
      start: [],
      rollback: [],
      patch:
        failed.length > 0
          ? {
              ...base,
              phase: 'DONE',
              status: 'FAILED',
              message: `rolling back failed for ${failed.map((i) => i.id).join(', ')}; see their deployments, fix them and redeploy them`,
            }
          : { ...base, phase: 'DONE', status: 'ROLLED_BACK' },
    };
  }

  const wave = inWave(input.currentWave);
  // Health checks failing during the bake count as failed deployments.
  if (input.phase === 'BAKING')
    for (const [id, why] of input.unhealthy)
      if (state.get(id) === 'SUCCEEDED') move(id, 'FAILED', `health check failed: ${why}`);

  const failed = count(wave, 'FAILED');
  const inFlight = count(wave, 'IN_PROGRESS');
  if (failed > input.failureThreshold) {
    if (inFlight > 0) return { transitions, start: [], rollback: [], patch: base };
    return failWave(input, wave, state, move, transitions, failed);
  }

  if (input.phase === 'DEPLOYING') {
    const pending = wave.filter((id) => state.get(id) === 'PENDING');
    if (pending.length > 0 || inFlight > 0) {
      const start = pending.slice(0, Math.max(0, input.maxInFlight - inFlight));
      return { transitions, start, rollback: [], patch: base };
    }
    const bakeUntil = new Date(input.now.getTime() + input.bakeSeconds * 1000);
    return decideRolloutStep({
      ...input,
      phase: 'BAKING',
      bakeUntil,
      instances: snapshot(input, state),
    });
  }

  // BAKING
  if (input.bakeUntil && input.now < input.bakeUntil)
    return { transitions, start: [], rollback: [], patch: base };
  if (input.currentWave + 1 >= input.waveCount)
    return {
      transitions,
      start: [],
      rollback: [],
      patch: { ...base, phase: 'DONE', bakeUntil: null, status: 'SUCCEEDED' },
    };
  const next = decideRolloutStep({
    ...input,
    phase: 'DEPLOYING',
    currentWave: input.currentWave + 1,
    bakeUntil: null,
    unhealthy: new Map(),
    instances: snapshot(input, state),
  });
  return { ...next, transitions: [...transitions, ...next.transitions] };
}

function snapshot(
  input: RolloutStepInput,
  state: Map<string, RolloutInstanceState>,
): RolloutStepInput['instances'] {
  return input.instances.map((i) => ({ ...i, state: state.get(i.id)! }));
}

function failWave(
  input: RolloutStepInput,
  wave: string[],
  state: Map<string, RolloutInstanceState>,
  move: (id: string, to: RolloutInstanceState, message?: string) => void,
  transitions: RolloutStep['transitions'],
  failed: number,
): RolloutStep {
  const names = wave.filter((id) => state.get(id) === 'FAILED');
  const reason = `wave ${input.currentWave + 1} of ${input.waveCount} failed: ${failed} of ${wave.length} instances failed (${names.join(', ')}), more than the failure threshold of ${input.failureThreshold}`;
  for (const i of input.instances)
    if (state.get(i.id) === 'PENDING') move(i.id, 'SKIPPED', 'not started: an earlier wave failed');
  if (!input.autoRollback)
    return {
      transitions,
      start: [],
      rollback: [],
      patch: {
        phase: 'DONE',
        currentWave: input.currentWave,
        bakeUntil: null,
        status: 'FAILED',
        message: `${reason}; autoRollback is off, so nothing was rolled back`,
      },
    };
  const scope = input.instances.filter(
    (i) =>
      TOUCHED.has(state.get(i.id)!) &&
      (input.rollbackScope === 'ROLLOUT'
        ? i.wave <= input.currentWave
        : i.wave === input.currentWave),
  );
  for (const i of scope) move(i.id, 'ROLLBACK_PENDING');
  return {
    transitions,
    start: [],
    rollback: scope.map((i) => i.id),
    patch: {
      phase: scope.length > 0 ? 'ROLLING_BACK' : 'DONE',
      currentWave: input.currentWave,
      bakeUntil: null,
      ...(scope.length > 0 ? {} : { status: 'ROLLED_BACK' as const }),
      message: `${reason}; rolled back ${scope.length} instance(s) to their previous version and inputs`,
    },
  };
}
