import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  type ProtonClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-proton';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig } from '@nucleon/server';
import { extensionTargetPrefix, ProtonClient as NucleonProtonClient } from '@nucleon/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

const TOKEN = 'metrics-token-for-the-observability-test';
const envSpec = (inputs: Record<string, string>) =>
  `proton: EnvironmentSpec\nspec:\n${Object.entries(inputs)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('')}`;

/** `name{labels}` → value, from the Prometheus text format. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('observability: /metrics, /readyz (PostgreSQL)', async () => {
  if (!requireOrSkip(await postgresUnavailable())) return;
  let server: TestServer;
  let proton: ProtonClient;
  let scratch: string;

  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await response.text());
  };
  const ended = (name: string) =>
    waitFor(
      async () => {
        const env = (await proton.send(new GetEnvironmentCommand({ name }))).environment!;
        return env.deploymentStatus === 'IN_PROGRESS' ? undefined : env;
      },
      { timeoutMs: 60_000, what: `the deployment of ${name} to end` },
    );
  const create = (name: string, inputs: Record<string, string>) =>
    proton.send(
      new CreateEnvironmentCommand({
        name,
        templateName: 'diag',
        templateMajorVersion: '1',
        spec: envSpec(inputs),
      }),
    );

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nucleon-metrics-'));
    server = await startTestServer({
      dialect: 'postgres',
      // The held deployment waits on a file outside its workspace, which the sandbox forbids.
      env: { NUCLEON_METRICS_TOKEN: TOKEN, NUCLEON_RUNNER_SANDBOX: 'off' },
    });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'diag',
      fixture: 'env-codebuild-diag',
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a scrape without the bearer token when NUCLEON_METRICS_TOKEN is set', async () => {
    const bare = await fetch(`${server.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).toMatch(/NUCLEON_METRICS_TOKEN/);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
  });

  it('counts requests, deployments by engine and result, the queue and the runners', async () => {
    const before = await scrape();
    const at = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

    await create('good-1', {});
    await create('good-2', {});
    await create('bad', { mode: 'fail' });
    expect((await ended('good-1')).deploymentStatus).toBe('SUCCEEDED');
    expect((await ended('good-2')).deploymentStatus).toBe('SUCCEEDED');
    expect((await ended('bad')).deploymentStatus).toBe('FAILED');
    const missing = await proton
      .send(new GetEnvironmentCommand({ name: 'nowhere' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);

    // A deployment held running: the runner and the queue show it.
    const release = join(scratch, 'release');
    await create('held', { release_file: release });
    const running = await waitFor(
      async () => {
        const m = await scrape();
        return at(m, 'nucleon_runner_active_jobs') >= 1 ? m : undefined;
      },
      { timeoutMs: 30_000, what: 'the held deployment to show as a running job' },
    );
    expect(at(running, 'nucleon_queue_depth{queue="deploy",state="running"}')).toBe(1);
    writeFileSync(release, 'go');
    expect((await ended('held')).deploymentStatus).toBe('SUCCEEDED');

    const after = await waitFor(
      async () => {
        const m = await scrape();
        const done = 'nucleon_deployments_total{engine="codebuild",result="SUCCEEDED"}';
        // Counted when the deployment ends; the job leaves the worker and the queue just after.
        const settled =
          at(m, 'nucleon_runner_active_jobs') === 0 &&
          at(m, 'nucleon_queue_depth{queue="deploy",state="running"}') === 0;
        return at(m, done) - at(before, done) === 3 && settled ? m : undefined;
      },
      { timeoutMs: 10_000, what: 'the last deployment to be counted and its job to finish' },
    );
    const delta = (key: string) => at(after, key) - at(before, key);
    expect(delta('nucleon_deployments_total{engine="codebuild",result="SUCCEEDED"}')).toBe(3);
    expect(delta('nucleon_deployments_total{engine="codebuild",result="FAILED"}')).toBe(1);
    expect(
      delta('nucleon_deployment_duration_seconds_count{engine="codebuild",result="SUCCEEDED"}'),
    ).toBe(3);
    expect(
      delta('nucleon_deployment_duration_seconds_sum{engine="codebuild",result="SUCCEEDED"}'),
    ).toBeGreaterThan(0);
    expect(
      delta('nucleon_api_requests_total{operation="CreateEnvironment",outcome="Success"}'),
    ).toBe(4);
    expect(
      delta(
        'nucleon_api_requests_total{operation="GetEnvironment",outcome="ResourceNotFoundException"}',
      ),
    ).toBe(1);
    expect(
      delta(
        'nucleon_api_request_duration_seconds_count{operation="CreateEnvironment",outcome="Success"}',
      ),
    ).toBe(4);
    expect(
      at(
        after,
        'nucleon_api_request_duration_seconds_bucket{le="+Inf",operation="CreateEnvironment",outcome="Success"}',
      ),
    ).toBe(
      at(after, 'nucleon_api_requests_total{operation="CreateEnvironment",outcome="Success"}'),
    );
    // Nothing is left in the deploy queue, and nothing runs.
    expect(at(after, 'nucleon_queue_depth{queue="deploy",state="running"}')).toBe(0);
    expect(after.has('nucleon_queue_oldest_job_age_seconds{queue="deploy"}')).toBe(false);
    expect(at(after, 'nucleon_runner_active_jobs')).toBe(0);
    expect(at(after, 'nucleon_runner_concurrency')).toBe(4);
    expect(at(after, 'nucleon_db_pool_connections{state="max"}')).toBe(20);
    expect(at(after, 'nucleon_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(after.has('nucleon_process_cpu_user_seconds_total')).toBe(true);
  });

  it('/readyz names what is wrong: a migration not applied makes it 503, /healthz stays 200', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', worker: 'ok' },
    });
    const client = new pg.Client({ connectionString: server.nucleon.config.databaseUrl });
    await client.connect();
    try {
      const last = await client.query<{ name: string; timestamp: string }>(
        'select name, timestamp from nucleon_migrations order by name desc limit 1',
      );
      const row = last.rows[0]!;
      await client.query('delete from nucleon_migrations where name = $1', [row.name]);
      try {
        const notReady = await fetch(`${server.url}/readyz`);
        expect(notReady.status).toBe(503);
        const body = (await notReady.json()) as { checks: Record<string, string> };
        expect(body.checks.database).toBe('ok');
        expect(body.checks.migrations).toMatch(new RegExp(`^pending: ${row.name} \\(`));
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      } finally {
        await client.query('insert into nucleon_migrations (name, timestamp) values ($1, $2)', [
          row.name,
          row.timestamp,
        ]);
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await client.end();
    }
  });

  it('serves /healthz, /readyz and /metrics on NUCLEON_METRICS_PORT for a worker without an API', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-metrics-worker-'));
    const worker = await createNucleon(
      loadConfig({
        DATABASE_URL: server.nucleon.config.databaseUrl,
        NUCLEON_DATA_DIR: dataDir,
        // The same installation: its master key and root key.
        NUCLEON_MASTER_KEY: readFileSync(join(server.dataDir, 'master.key'), 'utf8').trim(),
        NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
        NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
        NUCLEON_METRICS_PORT: '0',
        NUCLEON_METRICS_TOKEN: TOKEN,
        NUCLEON_WORKER_CONCURRENCY: '2',
      }),
      { logger: silentLogger, http: false, worker: true },
    );
    try {
      const started = await worker.start();
      expect(started.url).toBe('');
      const base = started.metricsUrl!;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await waitFor(
        async () => {
          const r = await fetch(`${base}/readyz`);
          return r.status === 200
            ? ((await r.json()) as { checks: Record<string, string> })
            : undefined;
        },
        { timeoutMs: 10_000, what: "the worker's /readyz" },
      );
      expect(ready.checks).toEqual({ database: 'ok', migrations: 'ok', worker: 'ok' });
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const m = parse(
        await (
          await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).text(),
      );
      expect(m.get('nucleon_runner_concurrency')).toBe(2);
      expect((await fetch(base, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await worker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ExportBackup: admins get a snapshot without the master key; other roles are refused', async () => {
    const root = nucleonClient(server);
    const created = (await root.send(`${extensionTargetPrefix}.CreateAccessKey`, {
      role: 'platform',
    })) as { accessKey: { accessKeyId: string; secretAccessKey: string } };
    const platform = new NucleonProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: created.accessKey,
    });
    const refused = await platform
      .send(`${extensionTargetPrefix}.ExportBackup`, {})
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ type: 'AccessDeniedException' });
    const out = (await root.send(`${extensionTargetPrefix}.ExportBackup`, {})) as {
      archive: string;
    };
    const lines = gunzipSync(Buffer.from(out.archive, 'base64')).toString('utf8').split('\n');
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(header).toMatchObject({ format: 'nucleon-backup', version: 1, database: 'postgres' });
    expect(header.masterKeyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(header).not.toHaveProperty('masterKey');
    const key = readFileSync(join(server.dataDir, 'master.key'), 'utf8').trim();
    expect(out.archive).not.toContain(key);
    expect(lines.some((l) => l.includes(created.accessKey.secretAccessKey))).toBe(false);
  });
});
