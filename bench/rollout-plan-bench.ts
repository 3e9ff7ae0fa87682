/**
 * Planning a rollout over 10,000 instances (target ≤ 2 s): the wave plan (percentages and one
 * wave per environment) and every step decision of a rollout that runs all its waves with max in
 * flight 50, deployments succeeding at once. Pure core code: what the driver adds per step is one
 * query for the instances and one per running deployment. Run alone with
 * `npx tsx bench/rollout-plan-bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  decideRolloutStep,
  planWaves,
  type RolloutInstanceState,
} from '../packages/core/src/index.js';

export function rolloutPlanBench(n = 10_000): Record<string, unknown> {
  const candidates = Array.from({ length: n }, (_, i) => ({
    id: `svc${i % 500}/inst${i}`,
    environment: ['dev', 'staging', 'prod', 'eu'][i % 4]!,
  }));
  const t0 = performance.now();
  const plan = planWaves(candidates, { kind: 'PERCENTAGES', percentages: [1, 10, 50, 100] });
  planWaves(candidates, { kind: 'ENVIRONMENTS', order: ['dev', 'staging', 'prod'] });
  const planMs = performance.now() - t0;
  if (!('waves' in plan)) throw new Error(plan.error);
  const state = new Map<string, RolloutInstanceState>(candidates.map((c) => [c.id, 'PENDING']));
  const wave = new Map(plan.waves.flatMap((w, i) => w.map((id) => [id, i] as const)));
  let phase: 'DEPLOYING' | 'BAKING' | 'ROLLING_BACK' | 'DONE' = 'DEPLOYING';
  let currentWave = 0;
  let bakeUntil: Date | null = null;
  let steps = 0;
  const t1 = performance.now();
  for (;;) {
    const step = decideRolloutStep({
      phase,
      currentWave,
      waveCount: plan.waves.length,
      bakeUntil,
      now: new Date(0),
      maxInFlight: 50,
      bakeSeconds: 0,
      failureThreshold: 0,
      autoRollback: true,
      rollbackScope: 'ROLLOUT',
      instances: candidates.map((c) => ({
        id: c.id,
        wave: wave.get(c.id)!,
        state: state.get(c.id)!,
      })),
      unhealthy: new Map(),
    });
    steps++;
    for (const t of step.transitions) state.set(t.id, t.to);
    for (const id of step.start) state.set(id, 'SUCCEEDED');
    ({ phase, currentWave, bakeUntil } = step.patch);
    if (step.patch.status) break;
  }
  const stepsMs = performance.now() - t1;
  return {
    name: 'rollout-plan',
    instances: n,
    waves: plan.waves.map((w) => w.length),
    plan_ms: Math.round(planMs),
    steps,
    all_steps_ms: Math.round(stepsMs),
    per_step_ms: Number((stepsMs / steps).toFixed(2)),
    succeeded: [...state.values()].every((s) => s === 'SUCCEEDED'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.stdout.write(JSON.stringify(rolloutPlanBench(), null, 2) + '\n');
