import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig } from '@nucleon/server';
import {
  TEST_ROOT_KEY,
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
  waitFor,
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

const serveScript = fileURLToPath(new URL('./fixtures/scripts/serve.mjs', import.meta.url));

/** Starts the server in a child process (to be killed with SIGKILL) and resolves once it serves. */
function spawnServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serveScript], { env: { ...process.env, ...env } });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code, signal) =>
      reject(new Error(`the server exited (${code ?? signal}) before serving:\n${out}`)),
    );
  });
}

/**
 * A rollout is state in the database driven by jobs: killing the server in the middle of a
 * rollout and starting another on the same database continues it where it was. On PostgreSQL
 * the server runs in its own process and is killed with SIGKILL (no shutdown code runs); on
 * PGlite (one process owns the database files) it is stopped in process.
 */
for (const dialect of testDialects())
  describe(`a rollout continues after the server dies (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-rollout-restart-'));
    const database = dialect === 'postgres' ? await createTestDatabase() : undefined;
    const env: Record<string, string> = {
      NUCLEON_PORT: '0',
      NUCLEON_DATA_DIR: dataDir,
      NUCLEON_ACCOUNT_ID: '123456789012',
      NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
      NUCLEON_STRICT_WIRE: 'true',
      // A killed worker's jobs are claimed again once their lease runs out.
      NUCLEON_JOB_LEASE_MS: '3000',
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    const config = loadConfig(env);
    let running: TestServer | undefined;
    let child: ChildProcess | undefined;
    const boot = async (): Promise<TestServer> => {
      if (dialect === 'postgres') {
        const spawned = await spawnServer(env);
        child = spawned.child;
        running = {
          url: spawned.url,
          region: config.region,
          credentials: TEST_ROOT_KEY,
          dataDir,
          dialect,
          stop: () => interrupt(),
        } as TestServer;
        return running;
      }
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
    /** kill -9 of the server process (PostgreSQL); a stop in process (PGlite). */
    const interrupt = async () => {
      if (!child) return running?.stop();
      const c = child;
      child = undefined;
      c.removeAllListeners('exit');
      const exited = new Promise<NodeJS.Signals | null>((r) => c.once('exit', (_, sig) => r(sig)));
      c.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    };
    afterAll(async () => {
      await running?.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('dies while wave 1 bakes; the next server finishes waves 2 and 3 and deploys each instance once', async () => {
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
      await interrupt();
      running = undefined;
      // The server is gone: nothing answers on its address any more.
      await waitFor(
        () =>
          fetch(server.url).then(
            () => undefined,
            () => true,
          ),
        { timeoutMs: 10_000, intervalMs: 100, what: 'the killed server to stop answering' },
      );

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
