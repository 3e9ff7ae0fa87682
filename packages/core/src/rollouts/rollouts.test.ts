import { describe, expect, it } from 'vitest';
import { decideRolloutStep, type RolloutStepInput } from './decide-rollout-step.js';
import { planWaves } from './plan-waves.js';
import { assessStackChanges } from './stack-changes.js';
import type { RolloutInstanceState } from './rollout-status.js';

const fleet = (n: number, envs = ['dev', 'staging', 'prod']) =>
  Array.from({ length: n }, (_, i) => ({ id: `svc/i${i}`, environment: envs[i % envs.length]! }));

describe('planWaves', () => {
  it.each([
    [{ kind: 'COUNT', count: 3 } as const, 7, [2, 2, 3]],
    [{ kind: 'COUNT', count: 5 } as const, 2, [1, 1]],
    [{ kind: 'PERCENTAGES', percentages: [10, 50, 100] } as const, 10, [1, 4, 5]],
    [{ kind: 'PERCENTAGES', percentages: [25] } as const, 8, [2, 6]],
  ])('splits by %j over %i instances into waves of %j', (strategy, n, sizes) => {
    const plan = planWaves(fleet(n), strategy);
    expect('waves' in plan && plan.waves.map((w) => w.length)).toEqual(sizes);
  });

  it('puts instances into one wave per environment in the given order, the rest last', () => {
    const plan = planWaves(fleet(6, ['dev', 'prod', 'other']), {
      kind: 'ENVIRONMENTS',
      order: ['prod', 'dev'],
    });
    expect(plan).toEqual({
      waves: [
        ['svc/i1', 'svc/i4'],
        ['svc/i0', 'svc/i3'],
        ['svc/i2', 'svc/i5'],
      ],
    });
  });

  it('takes explicit waves and refuses unknown or repeated instances', () => {
    expect(planWaves(fleet(3), { kind: 'EXPLICIT', waves: [['svc/i2'], ['svc/i0']] })).toEqual({
      waves: [['svc/i2'], ['svc/i0'], ['svc/i1']],
    });
    expect(planWaves(fleet(3), { kind: 'EXPLICIT', waves: [['svc/x']] })).toHaveProperty('error');
    expect(
      planWaves(fleet(3), { kind: 'EXPLICIT', waves: [['svc/i0'], ['svc/i0']] }),
    ).toHaveProperty('error');
  });

  it('refuses percentages that do not rise', () => {
    expect(planWaves(fleet(3), { kind: 'PERCENTAGES', percentages: [50, 50] })).toHaveProperty(
      'error',
    );
  });

  it('plans 10,000 instances', () => {
    const plan = planWaves(fleet(10_000), { kind: 'PERCENTAGES', percentages: [1, 10, 50, 100] });
    expect('waves' in plan && plan.waves.map((w) => w.length)).toEqual([100, 900, 4000, 5000]);
  });
});

const now = new Date('2026-12-02T10:00:00Z');
function input(
  states: RolloutInstanceState[][],
  over: Partial<RolloutStepInput> = {},
): RolloutStepInput {
  return {
    phase: 'DEPLOYING',
    currentWave: 0,
    waveCount: states.length,
    bakeUntil: null,
    now,
    maxInFlight: 2,
    bakeSeconds: 10,
    failureThreshold: 0,
    autoRollback: true,
    rollbackScope: 'WAVE',
    instances: states.flatMap((w, wave) =>
      w.map((state, i) => ({ id: `w${wave}i${i}`, wave, state })),
    ),
    unhealthy: new Map(),
    ...over,
  };
}

describe('decideRolloutStep', () => {
  it('starts at most maxInFlight instances of the current wave', () => {
    const step = decideRolloutStep(input([['PENDING', 'PENDING', 'PENDING'], ['PENDING']]));
    expect(step.start).toEqual(['w0i0', 'w0i1']);
    const later = decideRolloutStep(input([['SUCCEEDED', 'IN_PROGRESS', 'PENDING'], ['PENDING']]));
    expect(later.start).toEqual(['w0i2']);
  });

  it('bakes a finished wave, then starts the next wave when the bake is over', () => {
    const baking = decideRolloutStep(input([['SUCCEEDED'], ['PENDING']]));
    expect(baking.patch).toMatchObject({
      phase: 'BAKING',
      bakeUntil: new Date(now.getTime() + 10_000),
    });
    expect(baking.start).toEqual([]);
    const stillBaking = decideRolloutStep(
      input([['SUCCEEDED'], ['PENDING']], {
        phase: 'BAKING',
        bakeUntil: new Date(now.getTime() + 1),
      }),
    );
    expect(stillBaking.patch.phase).toBe('BAKING');
    const next = decideRolloutStep(
      input([['SUCCEEDED'], ['PENDING']], { phase: 'BAKING', bakeUntil: now }),
    );
    expect(next.patch).toMatchObject({ phase: 'DEPLOYING', currentWave: 1 });
    expect(next.start).toEqual(['w1i0']);
  });

  it('succeeds after the last wave bakes', () => {
    const done = decideRolloutStep(
      input([['SUCCEEDED'], ['SUCCEEDED']], { phase: 'BAKING', currentWave: 1, bakeUntil: now }),
    );
    expect(done.patch).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE' });
  });

  it('tolerates failures up to the threshold', () => {
    const step = decideRolloutStep(
      input([['FAILED', 'SUCCEEDED'], ['PENDING']], { failureThreshold: 1 }),
    );
    expect(step.patch.phase).toBe('BAKING');
  });

  it('waits for in-flight deployments of a failed wave, then rolls the wave back and skips the rest', () => {
    const waiting = decideRolloutStep(
      input([['SUCCEEDED'], ['FAILED', 'IN_PROGRESS', 'PENDING'], ['PENDING']], { currentWave: 1 }),
    );
    expect(waiting.start).toEqual([]);
    expect(waiting.transitions).toEqual([]);
    const failing = decideRolloutStep(
      input([['SUCCEEDED'], ['FAILED', 'SUCCEEDED', 'PENDING'], ['PENDING']], { currentWave: 1 }),
    );
    expect(failing.rollback).toEqual(['w1i0', 'w1i1']);
    expect(failing.transitions).toEqual([
      { id: 'w1i2', to: 'SKIPPED', message: 'not started: an earlier wave failed' },
      { id: 'w2i0', to: 'SKIPPED', message: 'not started: an earlier wave failed' },
      { id: 'w1i0', to: 'ROLLBACK_PENDING' },
      { id: 'w1i1', to: 'ROLLBACK_PENDING' },
    ]);
    expect(failing.patch.phase).toBe('ROLLING_BACK');
    expect(failing.patch.message).toContain('wave 2 of 3 failed: 1 of 3 instances failed (w1i0)');
  });

  it('rolls back every touched instance with rollbackScope ROLLOUT', () => {
    const step = decideRolloutStep(
      input([['SUCCEEDED'], ['FAILED']], { currentWave: 1, rollbackScope: 'ROLLOUT' }),
    );
    expect(step.rollback).toEqual(['w0i0', 'w1i0']);
  });

  it('ends FAILED without rolling back when autoRollback is off', () => {
    const step = decideRolloutStep(input([['FAILED'], ['PENDING']], { autoRollback: false }));
    expect(step.rollback).toEqual([]);
    expect(step.patch.status).toBe('FAILED');
    expect(step.patch.message).toContain('autoRollback is off');
  });

  it('ends ROLLED_BACK once every rollback succeeded, FAILED when one did not', () => {
    expect(
      decideRolloutStep(input([['ROLLED_BACK', 'ROLLING_BACK']], { phase: 'ROLLING_BACK' })).patch
        .status,
    ).toBeUndefined();
    expect(
      decideRolloutStep(input([['ROLLED_BACK', 'SKIPPED']], { phase: 'ROLLING_BACK' })).patch
        .status,
    ).toBe('ROLLED_BACK');
    expect(
      decideRolloutStep(input([['ROLLED_BACK', 'ROLLBACK_FAILED']], { phase: 'ROLLING_BACK' }))
        .patch.status,
    ).toBe('FAILED');
  });

  it('counts a failed health check during the bake as a failed deployment', () => {
    const step = decideRolloutStep(
      input([['SUCCEEDED', 'SUCCEEDED'], ['PENDING']], {
        phase: 'BAKING',
        bakeUntil: new Date(now.getTime() + 5000),
        unhealthy: new Map([['w0i1', 'GET http://x answered 503']]),
      }),
    );
    expect(step.transitions[0]).toEqual({
      id: 'w0i1',
      to: 'FAILED',
      message: 'health check failed: GET http://x answered 503',
    });
    expect(step.patch.phase).toBe('ROLLING_BACK');
  });
});

describe('assessStackChanges', () => {
  it('counts adds, modifications, removals and replacements, and calls out stateful replacements', () => {
    const a = assessStackChanges([
      { action: 'Add', logicalResourceId: 'Topic', resourceType: 'AWS::SNS::Topic' },
      {
        action: 'Modify',
        logicalResourceId: 'Db',
        resourceType: 'AWS::RDS::DBInstance',
        replacement: 'True',
      },
      {
        action: 'Modify',
        logicalResourceId: 'Q',
        resourceType: 'AWS::SQS::Queue',
        replacement: 'False',
      },
      {
        action: 'Modify',
        logicalResourceId: 'Fn',
        resourceType: 'AWS::Lambda::Function',
        replacement: 'True',
      },
      { action: 'Remove', logicalResourceId: 'Data', resourceType: 'AWS::S3::Bucket' },
    ]);
    expect(a.summary).toEqual({ adds: 1, modifications: 3, removals: 1, replacements: 2 });
    expect(a.statefulReplacements).toEqual([
      'Db (AWS::RDS::DBInstance) would be replaced: its data would be lost',
      'Data (AWS::S3::Bucket) would be removed: its data would be lost',
    ]);
    expect(a.changes.map((c) => c.stateful)).toEqual([false, true, true, false, true]);
  });
});
