import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  waitUntilEnvironmentDeployed,
  type Environment,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import {
  adminUrl,
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCredentialsRevoked, keysOfEndedDeployments, runs } from './fault-checks.js';
import { publishFixture, sdkClient } from './helpers.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETE_FAILED']);
const spec = (counterDir: string, seconds = 0) =>
  `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n  seconds: ${seconds}\n`;

// PGlite runs in the server's own process: there is no connection to drop. PostgreSQL only.
describe('fault injection: the database connections drop while deployments run (postgres)', async () => {
  if (!requireOrSkip(await postgresUnavailable())) return;
  let server: TestServer;
  let proton: ProtonClient;
  let admin: pg.Client;
  let database: string;
  const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-fault-db-'));

  /** Terminates every connection the server holds to its database, as a PostgreSQL restart or failover would. */
  const dropConnections = async (): Promise<number> => {
    const { rows } = await admin.query<{ pid: number }>(
      'select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return rows.length;
  };
  const create = (name: string, seconds = 0) =>
    proton.send(
      new CreateEnvironmentCommand({
        name,
        templateName: 'counter',
        templateMajorVersion: '1',
        spec: spec(counterDir, seconds),
      }),
    );
  const settled = (name: string): Promise<Environment> =>
    waitFor(
      async () => {
        const env = (await proton.send(new GetEnvironmentCommand({ name }))).environment;
        return env && TERMINAL.has(env.deploymentStatus!) ? env : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: `environment ${name} to reach a terminal state`,
      },
    );

  beforeAll(async () => {
    server = await startTestServer({
      dialect: 'postgres',
      env: { NUCLEON_RUNNER_SANDBOX: 'off', NUCLEON_WORKER_CONCURRENCY: '4' },
    });
    proton = sdkClient(server);
    database = (
      await sql<{ name: string }>`select current_database() as name`.execute(
        server.nucleon.database.db,
      )
    ).rows[0]!.name;
    admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'counter',
      fixture: 'env-counter',
    });
    await create('bystander');
    await waitUntilEnvironmentDeployed(
      { client: proton, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
      { name: 'bystander' },
    );
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
    rmSync(counterDir, { recursive: true, force: true });
  });

  it('a deployment held in its commands when the connections drop still ends SUCCEEDED, its commands ran once, and the server keeps serving', async () => {
    const bystander = (await proton.send(new GetEnvironmentCommand({ name: 'bystander' })))
      .environment!;
    await create('held', 6);
    // The commands are running (they sleep six seconds): the deployment is at its engine step.
    await waitFor(() => Promise.resolve(runs(counterDir, 'held') === 1 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the commands to start',
    });
    expect(await dropConnections()).toBeGreaterThan(0);

    const held = await settled('held');
    expect(held.deploymentStatus).toBe('SUCCEEDED');
    expect(runs(counterDir, 'held')).toBe(1);
    await expectCredentialsRevoked(server.url, counterDir, 'held');

    // The server keeps serving: a new deployment runs to the end over fresh connections.
    await create('after');
    expect((await settled('after')).deploymentStatus).toBe('SUCCEEDED');
    expect(runs(counterDir, 'after')).toBe(1);

    expect(await keysOfEndedDeployments(server)).toEqual([]);
    const now = (await proton.send(new GetEnvironmentCommand({ name: 'bystander' }))).environment!;
    expect(now.lastSucceededDeploymentId).toBe(bystander.lastSucceededDeploymentId);
    expect(runs(counterDir, 'bystander')).toBe(1);
  });

  it('connections dropped again and again through every step of several deployments: each ends, none ran its commands twice', async () => {
    const names = ['churn-0', 'churn-1', 'churn-2', 'churn-3'];
    for (const name of names) await create(name, 1);
    // Drop every connection every 300 ms until all have ended: claim, render, engine, finish and
    // the follow-up jobs each meet a dropped connection somewhere.
    let dropping = true;
    let drops = 0;
    const dropper = (async () => {
      while (dropping) {
        drops += (await dropConnections()) > 0 ? 1 : 0;
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      for (const name of names) {
        const env = await settled(name);
        const ran = runs(counterDir, name);
        expect({ name, ran: ran <= 1 }).toEqual({ name, ran: true });
        if (env.deploymentStatus === 'SUCCEEDED') expect({ name, ran }).toEqual({ name, ran: 1 });
        else expect(env.deploymentStatusMessage, `${name} says why it failed`).toBeTruthy();
      }
    } finally {
      dropping = false;
      await dropper;
    }
    expect(drops).toBeGreaterThan(0);
    // Recovered: the server serves, and the ended deployments' credentials are gone.
    await create('recovered');
    expect((await settled('recovered')).deploymentStatus).toBe('SUCCEEDED');
    expect(await keysOfEndedDeployments(server)).toEqual([]);
    for (const name of [...names, 'recovered'])
      if (runs(counterDir, name) > 0) await expectCredentialsRevoked(server.url, counterDir, name);
    expect(runs(counterDir, 'bystander')).toBe(1);
  });
});
