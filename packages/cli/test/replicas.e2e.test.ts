import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  ListEnvironmentTemplatesCommand,
  ListEnvironmentsCommand,
  ProtonClient as SdkClient,
  type EnvironmentSummary,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  waitFor,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, startProcess } from './run-cli.js';

const run = promisify(execFile);

/** This process's environment with the test's key, and no other AWS credentials or profile. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  return { ...env, AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey };
}

/**
 * `nucleon server` and `nucleon worker` as separate processes on one PostgreSQL (ADR 0025): two
 * of each, real child processes of the built CLI, driven by boto3 through both servers.
 */
const KEY = {
  accessKeyId: 'AKIANUCLEONREPLICAS1',
  secretAccessKey: 'nucleon-replicas-test-secret-key-0000000',
};
const COUNT = 200;
const WORKER_CONCURRENCY = 8;
const bundleDir = fileURLToPath(new URL('./fixtures/replica-env', import.meta.url));
const driver = fileURLToPath(new URL('./fixtures/replica-deployments.py', import.meta.url));

async function missingPython(): Promise<string | undefined> {
  try {
    await run('python3', ['-c', 'import boto3']);
    return undefined;
  } catch {
    return 'python3 with boto3 is not installed (pip install boto3)';
  }
}

const postgres = requireOrSkip(await postgresUnavailable());
const python = requireOrSkip(await missingPython());

describe.skipIf(!postgres || !python)('two servers and two workers on one PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-replicas-'));
  const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-replica-runs-'));
  const children: ChildProcess[] = [];
  let database: { url: string; drop(): Promise<void> };
  let servers: string[] = [];
  let workers: ChildProcess[] = [];
  let healthUrls: string[] = [];

  const env = (name: string, extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    // Every process gets its own data dir; the master key is what they must share.
    NUCLEON_DATA_DIR: join(dir, name),
    NUCLEON_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    NUCLEON_ROOT_ACCESS_KEY_ID: KEY.accessKeyId,
    NUCLEON_ROOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    NUCLEON_ACCOUNT_ID: '123456789012',
    NUCLEON_JOB_LEASE_MS: '2000',
    ...extra,
  });

  beforeAll(async () => {
    assertBuilt();
    database = await createTestDatabase();
    // All four start at once: the bootstrap lock makes them take turns at migrations and keys.
    const started = await Promise.all([
      ...['server-a', 'server-b'].map((name) =>
        startProcess(
          'server',
          ['--port', '0'],
          env(name),
          /Nucleon is running at (http:\/\/\S+)[\s\S]*Point your tools at it/,
        ),
      ),
      ...['w1', 'w2'].map((name) =>
        startProcess(
          'worker',
          ['--concurrency', String(WORKER_CONCURRENCY), '--health-port', '0'],
          env(name, {
            REPLICA_WORKER: name,
            NUCLEON_RUNNER_PASS_ENV: 'REPLICA_WORKER',
            // The template records its runs in a host folder outside its workspace, which the
            // command sandbox forbids (the sandbox is tested in engines/command-sandbox.test.ts).
            NUCLEON_RUNNER_SANDBOX: 'off',
          }),
          /Nucleon worker running .*health checks at (http:\/\/\S+)\/healthz/,
        ),
      ),
    ]);
    children.push(...started.map((s) => s.child));
    servers = started.slice(0, 2).map((s) => s.url);
    workers = started.slice(2).map((s) => s.child);
    healthUrls = started.slice(2).map((s) => s.url);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null
          ? new Promise((r) => c.once('exit', r))
          : Promise.resolve(),
      ),
    );
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(counterDir, { recursive: true, force: true });
  });

  const runsOf = (name: string): string[] => {
    const file = join(counterDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };

  it(`runs ${COUNT} deployments sent through both servers; kill -9 of a worker mid-way fails only what it was running, and no command runs twice`, async () => {
    const own = new ProtonClient({ endpoint: servers[0]!, region: 'us-east-1', credentials: KEY });
    const content = execFileSync('tar', ['-czf', '-', '-C', bundleDir, '.']).toString('base64');
    const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
      key: 'replica.tar.gz',
      content,
    })) as { s3: { bucket: string; key: string } };

    const driving = run(
      'python3',
      [driver, servers[0]!, servers[1]!, s3.bucket, s3.key, counterDir, String(COUNT)],
      {
        env: pythonEnv(),
      },
    );
    // Awaited below; a failure meanwhile must not go unhandled.
    driving.catch(() => undefined);
    // Mid-way: a quarter of the deployments finished and w1 is running commands right now.
    const running = await waitFor(
      async () => {
        let ended = 0;
        const onW1: string[] = [];
        for (let i = 0; i < COUNT; i++) {
          const runs = runsOf(`env-${i}`);
          if (runs.some((l) => l.startsWith('end '))) ended++;
          else if (runs.includes('start w1')) onW1.push(`env-${i}`);
        }
        return ended >= COUNT / 4 && onW1.length > 0 ? onW1 : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 20, what: 'w1 to be running commands mid-way' },
    );
    workers[0]!.kill('SIGKILL');
    const driven = JSON.parse((await driving).stdout) as Record<string, number>;
    expect(driven).toEqual({ created: COUNT, through_a: COUNT / 2, through_b: COUNT / 2 });

    const sdk = new SdkClient({ endpoint: servers[1]!, region: 'us-east-1', credentials: KEY });
    const envs = await waitFor(
      async () => {
        const all: EnvironmentSummary[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sdk.send(new ListEnvironmentsCommand({ nextToken }));
          all.push(...(page.environments ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        return all.length === COUNT &&
          all.every((e) => e.deploymentStatus === 'SUCCEEDED' || e.deploymentStatus === 'FAILED')
          ? all
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'every deployment to end' },
    );

    // The engine's guarantee (ADR 0008): a codebuild-style command runs at most once. A deployment
    // whose worker died after its commands may have started is not repeated: it ends FAILED, saying
    // so. Every other deployment (the dead worker's claimed-but-not-started ones included) SUCCEEDS.
    const failed = envs.filter((e) => e.deploymentStatus === 'FAILED');
    const succeeded = envs.filter((e) => e.deploymentStatus === 'SUCCEEDED');
    for (const e of succeeded) {
      const runs = runsOf(e.name!);
      // Exactly one run, started and ended by the same worker.
      expect(runs, e.name).toHaveLength(2);
      expect(runs[1], e.name).toBe(runs[0]!.replace('start', 'end'));
    }
    // Each failed one was w1's when it died: its command never ran (rendered only), was killed
    // mid-run, or had just finished when the worker died before recording it. Never re-run.
    const killedMidRun: string[] = [];
    const finishedUnrecorded: string[] = [];
    const neverStarted: string[] = [];
    for (const e of failed) {
      expect(e.deploymentStatusMessage).toMatch(
        /Nucleon stopped while this deployment was running/,
      );
      const runs = runsOf(e.name!).join();
      expect(['', 'start w1', 'start w1,end w1'], `${e.name}: ${runs}`).toContain(runs);
      (runs === '' ? neverStarted : runs === 'start w1' ? killedMidRun : finishedUnrecorded).push(
        e.name!,
      );
    }
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThanOrEqual(WORKER_CONCURRENCY);
    // What w1 was running when it was killed is among them.
    for (const name of running) expect(failed.map((e) => e.name)).toContain(name);
    const byWorker = (w: string) =>
      succeeded.filter((e) => runsOf(e.name!)[1] === `end ${w}`).length;
    expect(byWorker('w1')).toBeGreaterThan(0);
    expect(byWorker('w2')).toBeGreaterThan(0);
    console.log(
      `replicas: ${succeeded.length} SUCCEEDED (w1 ${byWorker('w1')}, w2 ${byWorker('w2')}); ` +
        `${failed.length} FAILED as interrupted by the kill (${killedMidRun.length} killed mid-command, ` +
        `${finishedUnrecorded.length} finished but unrecorded, ${neverStarted.length} not started); ` +
        `0 commands run twice`,
    );
  }, 240_000);

  it('a worker serves health checks on its health port and nothing else', async () => {
    const health = healthUrls[1]!;
    expect(await (await fetch(`${health}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${health}/readyz`)).json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${health}/`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('a console session opened on one server works on the other, and signing out on either ends it', async () => {
    const [a, b] = servers as [string, string];
    const opened = await post(a, '/console/api/session', KEY);
    expect(opened.status).toBe(201);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await opened.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const onB = await post(
      b,
      '/console/api/call',
      { target: 'AwsProton20200720.ListEnvironmentTemplates', input: {} },
      headers,
    );
    expect(onB.status).toBe(200);
    expect(await onB.json()).toMatchObject({
      templates: [expect.objectContaining({ name: 'replica' })],
    });
    const out = await fetch(`${b}/console/api/session`, { method: 'DELETE', headers });
    expect(out.status).toBe(204);
    const onA = await post(
      a,
      '/console/api/call',
      { target: 'AwsProton20200720.ListEnvironmentTemplates', input: {} },
      headers,
    );
    expect(onA.status).toBe(401);
  });

  it('failed sign-ins are counted across servers', async () => {
    const [a, b] = servers as [string, string];
    const wrong = { accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrong-secret-0000000000' };
    for (let i = 0; i < 10; i++)
      expect((await post(i % 2 ? b : a, '/console/api/session', wrong)).status).toBe(401);
    // Ten failures split over two servers lock this address out of the key on both.
    expect((await post(a, '/console/api/session', KEY)).status).toBe(429);
    expect((await post(b, '/console/api/session', KEY)).status).toBe(429);
  });

  it('a key deleted through one server stops working on the other at once, though that server had cached it', async () => {
    const [a, b] = servers as [string, string];
    const clientEnv = (
      endpoint: string,
      key?: { accessKeyId: string; secretAccessKey: string },
    ) => ({
      AWS_ENDPOINT_URL_PROTON: endpoint,
      AWS_ACCESS_KEY_ID: (key ?? KEY).accessKeyId,
      AWS_SECRET_ACCESS_KEY: (key ?? KEY).secretAccessKey,
      AWS_PROFILE: '',
      NUCLEON_DATA_DIR: join(dir, 'client'),
    });
    const created = await runCli(['keys', 'create', '-o', 'json'], clientEnv(a));
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    const onA = new SdkClient({ endpoint: a, region: 'us-east-1', credentials: key });
    // Server A looks the key up (and caches the lookup for 10 s).
    await onA.send(new ListEnvironmentTemplatesCommand({}));
    const deleted = await runCli(['keys', 'delete', key.accessKeyId], clientEnv(b));
    expect(deleted.code).toBe(0);
    // PostgreSQL's notification reaches A long before its cached lookup would lapse.
    const refusal = await waitFor(
      () =>
        onA.send(new ListEnvironmentTemplatesCommand({})).then(
          () => undefined,
          (error: Error) => error,
        ),
      { timeoutMs: 5000, intervalMs: 20, what: 'server A to refuse the deleted key' },
    );
    expect(refusal.name).toBe('UnrecognizedClientException');
  });
});
