import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetResourcesSummaryCommand } from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { nucleonClient, sdkClient } from './helpers.js';
import {
  createFleet,
  deploymentTimes,
  fleetState,
  publishMinor,
  rolloutCall,
  waitRollout,
} from './rollout-fixtures.js';

const SERVICES = ['api', 'web', 'jobs', 'docs'];
const ENVS = ['dev', 'staging', 'prod'];
const ended = (r: { status: string }) => !['IN_PROGRESS', 'PAUSED'].includes(r.status);

/**
 * Rollouts over HTTP with Nucleon's signed client, on a fleet of twelve CodeBuild-provisioned
 * service instances (four services) in three environments. The fixture's provision command fails when the
 * instance's `fail_on` input names the version being deployed (web-staging fails on 1.2).
 */
describe('rollouts move a fleet to a template version in waves and roll back by themselves', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'rollout-svc', SERVICES, { 'web-staging': '1.2' });
    await publishMinor(server, 'rollout-svc', 'svc-rollout-1_1');
    await publishMinor(server, 'rollout-svc', 'svc-rollout-1_2');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('rolls 1.0 to 1.1 one environment per wave, baking between waves, and ends SUCCEEDED', async () => {
    const before = await fleetState(server, SERVICES);
    expect(Object.values(before).map((i) => i.version)).toEqual(Array(12).fill('1.0'));
    // The currency report and Proton's summary see the twelve instances two minors behind.
    const currency = async () =>
      (
        (await nucleonClient(server).send(`${extensionTargetPrefix}.GetVersionCurrency`, {
          templateName: 'rollout-svc',
        })) as { versions: Array<Record<string, unknown>> }
      ).versions;
    const [behind] = await currency();
    expect(behind).toMatchObject({
      templateKind: 'SERVICE',
      templateName: 'rollout-svc',
      resourceKind: 'SERVICE_INSTANCE',
      version: '1.0',
      count: 12,
      behind: 'MINOR',
      minorsBehind: 2,
      majorsBehind: 0,
      recommendedVersion: '1.2',
    });
    expect(behind!.behindSince).toBeDefined();
    const summary = await sdkClient(server).send(new GetResourcesSummaryCommand({}));
    expect(summary.counts!.serviceInstances).toMatchObject({ total: 12, behindMinor: 12 });
    expect(summary.counts!.components).toEqual({ total: 0, failed: 0 });
    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'rollout-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      environmentOrder: ['dev', 'staging', 'prod'],
      maxInFlight: 2,
      bakeSeconds: 1,
      autoRollback: true,
    });
    expect(started).toMatchObject({ status: 'IN_PROGRESS', waveCount: 3 });
    expect([...started.instances.map((i) => `${i.wave}:${i.serviceInstanceName}`)].sort()).toEqual(
      ENVS.flatMap((env, k) => SERVICES.map((svc) => `${k + 1}:${svc}-${env}`)).sort(),
    );
    const done = await waitRollout(server, started.rolloutId, ended, 'the rollout to end');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.instances.map((i) => i.state)).toEqual(Array(12).fill('SUCCEEDED'));
    expect(done.instances.every((i) => i.previousVersion === '1.0')).toBe(true);

    expect((await currency()).map((v) => [v.version, v.count, v.minorsBehind])).toEqual([
      ['1.1', 12, 1],
    ]);
    const after = await fleetState(server, SERVICES);
    for (const [id, i] of Object.entries(after)) {
      expect(i.version, id).toBe('1.1');
      expect(i.outputs.Version, id).toBe('1.1');
      // 1.1 added the input replicas with default 2.
      expect(JSON.parse(i.outputs.Inputs!), id).toMatchObject({ replicas: 2 });
    }
    // Waves ran one after the other with the bake in between: every deployment of a wave began
    // at least bakeSeconds after the previous wave's deployments had all completed, and never
    // more than two ran at a time (maxInFlight 2).
    const times = await Promise.all(
      done.instances.map(async (i) => ({
        wave: i.wave,
        ...(await deploymentTimes(server, i.deploymentId!)),
      })),
    );
    for (const wave of [2, 3]) {
      const prevEnd = Math.max(
        ...times.filter((t) => t.wave === wave - 1).map((t) => t.completedAt!.getTime()),
      );
      const start = Math.min(
        ...times.filter((t) => t.wave === wave).map((t) => t.createdAt.getTime()),
      );
      expect(start - prevEnd, `wave ${wave} waited for the bake`).toBeGreaterThanOrEqual(1000);
    }
    for (const t of times) {
      const overlapping = times.filter(
        (o) =>
          o.createdAt.getTime() <= t.createdAt.getTime() &&
          o.completedAt!.getTime() > t.createdAt.getTime(),
      );
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  }, 300_000);

  it('rolls wave 2 back when an instance fails 1.2, never starts wave 3, and ends ROLLED_BACK', async () => {
    const before = await fleetState(server, SERVICES);
    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'rollout-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '2',
      // The instance that fails 1.2 starts first in wave 2.
      explicitWaves: ENVS.map((env) =>
        ['web', ...SERVICES.filter((s) => s !== 'web')].map((svc) => `${svc}/${svc}-${env}`),
      ),
      maxInFlight: 2,
      autoRollback: true,
    });
    const done = await waitRollout(server, started.rolloutId, ended, 'the rollout to end');
    expect(done.status).toBe('ROLLED_BACK');
    expect(done.statusMessage).toContain(
      'wave 2 of 3 failed: 1 of 4 instances failed (web/web-staging)',
    );
    const state = Object.fromEntries(done.instances.map((i) => [i.serviceInstanceName, i]));
    // Everything the rollout touched went back (rollbackScope ROLLOUT, the default).
    for (const n of SERVICES.map((svc) => `${svc}-dev`).concat('web-staging')) {
      expect(state[n]!.state, n).toBe('ROLLED_BACK');
      expect(state[n]!.rollbackDeploymentId, n).toBeDefined();
    }
    // The rest of wave 2 either started before the failure was seen (and went back) or never
    // started once it was (maxInFlight 2, failure threshold 0).
    for (const n of ['api-staging', 'jobs-staging', 'docs-staging'])
      expect(state[n]!.deploymentId ? 'ROLLED_BACK' : 'SKIPPED', n).toBe(state[n]!.state);
    for (const n of SERVICES.map((svc) => `${svc}-prod`)) {
      expect(state[n]!.state, n).toBe('SKIPPED');
      expect(state[n]!.deploymentId, n).toBeUndefined();
    }
    expect((await deploymentTimes(server, state['web-staging']!.deploymentId!)).status).toBe(
      'FAILED',
    );

    const after = await fleetState(server, SERVICES);
    for (const [id, i] of Object.entries(after)) {
      // Every instance is on its previous version with its previous inputs (no 1.2 input "tier").
      expect(i.version, id).toBe('1.1');
      expect(i.status, id).toBe('SUCCEEDED');
      expect(i.outputs.Version, id).toBe('1.1');
      expect(JSON.parse(i.outputs.Inputs!), id).toEqual(JSON.parse(before[id]!.outputs.Inputs!));
    }
    // Wave 3 never started: its instances' last deployments are the ones from before.
    for (const id of SERVICES.map((svc) => `${svc}/${svc}-prod`))
      expect(after[id]!.lastAttempted, id).toBe(before[id]!.lastAttempted);
  }, 300_000);

  it('pauses (no new deployment starts), resumes, and aborts (pending instances are skipped)', async () => {
    const before = await fleetState(server, ['api']);
    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'rollout-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '2',
      selector: { services: ['api'] },
      waves: 3,
      bakeSeconds: 3600,
    });
    const paused = await rolloutCall(server, 'PauseRollout', { rolloutId: started.rolloutId });
    expect(paused.status).toBe('PAUSED');
    await expect(
      rolloutCall(server, 'PauseRollout', { rolloutId: started.rolloutId }),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    // Whatever wave 1 started before the pause ends; waves 2 and 3 stay untouched while paused.
    const settled = await waitRollout(
      server,
      started.rolloutId,
      (r) => r.instances.every((i) => i.deploymentStatus !== 'IN_PROGRESS'),
      'wave 1 to settle while paused',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const still = await rolloutCall(server, 'GetRollout', { rolloutId: started.rolloutId });
    expect(still.status).toBe('PAUSED');
    expect(still.instances.filter((i) => i.wave > 1).map((i) => [i.state, i.deploymentId])).toEqual(
      [
        ['PENDING', undefined],
        ['PENDING', undefined],
      ],
    );
    expect(settled.status).toBe('PAUSED');

    await rolloutCall(server, 'ResumeRollout', { rolloutId: started.rolloutId });
    const baking = await waitRollout(
      server,
      started.rolloutId,
      (r) => r.phase === 'BAKING' || ended(r),
      'wave 1 to bake after resuming',
    );
    expect(baking).toMatchObject({ status: 'IN_PROGRESS', phase: 'BAKING', currentWave: 1 });
    expect(baking.instances[0]!.state).toBe('SUCCEEDED');

    const aborted = await rolloutCall(server, 'AbortRollout', { rolloutId: started.rolloutId });
    expect(aborted.status).toBe('ABORTED');
    expect(aborted.instances.map((i) => i.state)).toEqual(['SUCCEEDED', 'SKIPPED', 'SKIPPED']);
    await expect(
      rolloutCall(server, 'ResumeRollout', { rolloutId: started.rolloutId }),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    const after = await fleetState(server, ['api']);
    expect(after['api/api-dev']!.version).toBe('1.2');
    for (const id of ['api/api-prod', 'api/api-staging']) {
      expect(after[id]!.version, id).toBe(before[id]!.version);
      expect(after[id]!.lastAttempted, id).toBe(before[id]!.lastAttempted);
    }
  }, 300_000);

  it('refuses what it cannot do with Proton error types and messages that say what to do', async () => {
    await expect(
      rolloutCall(server, 'StartRollout', {
        templateName: 'rollout-svc',
        targetMajorVersion: '1',
        targetMinorVersion: '9',
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('not registered'),
    });
    await expect(
      rolloutCall(server, 'StartRollout', {
        templateName: 'rollout-svc',
        targetMajorVersion: '1',
        targetMinorVersion: '2',
        selector: { instances: ['api/api-dev'] },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('all already on it'),
    });
    await expect(rolloutCall(server, 'GetRollout', { rolloutId: 'nope' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
