import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig } from '@nucleon/server';
import {
  TEST_ROOT_KEY,
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
  type TestServer,
} from '@nucleon/test-utils';
import { ListDeploymentsCommand } from '@aws-sdk/client-proton';
import { afterAll, describe, expect, it } from 'vitest';
import { sdkClient } from './helpers.js';
import {
  createFleet,
  fleetState,
  publishMinor,
  rolloutCall,
  waitRollout,
} from './rollout-fixtures.js';

/**
 * A rollout is state in the database driven by jobs: stopping the server in the middle of a
 * rollout and starting another on the same database continues it where it was.
 */
for (const dialect of testDialects())
  describe(`a rollout continues after a restart (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-rollout-restart-'));
    const database = dialect === 'postgres' ? await createTestDatabase() : undefined;
    const config = loadConfig({
      NUCLEON_PORT: '0',
      NUCLEON_DATA_DIR: dataDir,
      NUCLEON_ACCOUNT_ID: '123456789012',
      NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    let running: TestServer | undefined;
    const boot = async (): Promise<TestServer> => {
      const nucleon = await createNucleon(config, { logger: silentLogger });
      const { url } = await nucleon.start();
      running = {
        url,
        region: config.region,
        credentials: TEST_ROOT_KEY,
        nucleon,
        dataDir,
        dialect,
        stop: () => nucleon.stop(),
      };
      return running;
    };
    afterAll(async () => {
      await running?.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('stops while wave 1 bakes; the next server finishes waves 2 and 3 and deploys each instance once', async () => {
      let server = await boot();
      await createFleet(server, 'restart-svc', ['svc']);
      await publishMinor(server, 'restart-svc', 'svc-rollout-1_1');
      const started = await rolloutCall(server, 'StartRollout', {
        templateName: 'restart-svc',
        targetMajorVersion: '1',
        targetMinorVersion: '1',
        waves: 3,
        bakeSeconds: 2,
        autoRollback: true,
      });
      const baking = await waitRollout(
        server,
        started.rolloutId,
        (r) => r.phase === 'BAKING' || r.status !== 'IN_PROGRESS',
        'wave 1 to bake',
      );
      expect(baking).toMatchObject({ status: 'IN_PROGRESS', currentWave: 1 });
      await running!.stop();
      running = undefined;

      server = await boot();
      const done = await waitRollout(
        server,
        started.rolloutId,
        (r) => r.status !== 'IN_PROGRESS',
        'the rollout to end after the restart',
      );
      expect(done.status).toBe('SUCCEEDED');
      expect(done.instances.map((i) => i.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      const after = await fleetState(server, ['svc']);
      for (const [id, i] of Object.entries(after)) expect(i.version, id).toBe('1.1');
      // One create and one rollout deployment per instance: nothing was deployed twice.
      const deployments = await sdkClient(server).send(
        new ListDeploymentsCommand({ serviceName: 'svc' }),
      );
      const per: Record<string, number> = {};
      for (const d of deployments.deployments ?? [])
        per[d.serviceInstanceName ?? ''] = (per[d.serviceInstanceName ?? ''] ?? 0) + 1;
      expect(per).toEqual({ 'svc-dev': 2, 'svc-staging': 2, 'svc-prod': 2 });
    }, 300_000);
  });
