import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  ListEnvironmentsCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  waitFor,
} from '@nucleon/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, cliPath, startUp } from './run-cli.js';

const KEY = {
  accessKeyId: 'AKIANUCLEONCRASHTEST',
  secretAccessKey: 'nucleon-crash-test-secret-key-00000000000',
};
const bundleDir = fileURLToPath(new URL('./fixtures/crash-env', import.meta.url));
const COUNT = 20;

const baseEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  NUCLEON_ROOT_ACCESS_KEY_ID: KEY.accessKeyId,
  NUCLEON_ROOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
  NUCLEON_DATA_DIR: dataDir,
  NUCLEON_JOB_LEASE_MS: '3000',
  NUCLEON_WORKER_CONCURRENCY: '4',
  NUCLEON_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  // The template counts its runs in a host folder outside its workspace, which the command
  // sandbox forbids; worker death under the sandbox is tested in engines/command-sandbox.test.ts.
  NUCLEON_RUNNER_SANDBOX: 'off',
  ...extra,
});

async function prepare(url: string): Promise<SdkClient> {
  const sdk = new SdkClient({ endpoint: url, region: 'us-east-1', credentials: KEY });
  const content = execFileSync('tar', ['-czf', '-', '-C', bundleDir, '.']).toString('base64');
  const own = new ProtonClient({ endpoint: url, region: 'us-east-1', credentials: KEY });
  const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
    key: 'crash.tar.gz',
    content,
  })) as { s3: { bucket: string; key: string } };
  await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'crash' }));
  await sdk.send(
    new CreateEnvironmentTemplateVersionCommand({ templateName: 'crash', source: { s3 } }),
  );
  await waitUntilEnvironmentTemplateVersionRegistered(
    { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { templateName: 'crash', majorVersion: '1', minorVersion: '0' },
  );
  await sdk.send(
    new UpdateEnvironmentTemplateVersionCommand({
      templateName: 'crash',
      majorVersion: '1',
      minorVersion: '0',
      status: 'PUBLISHED',
    }),
  );
  return sdk;
}

async function createMany(sdk: SdkClient, counterDir: string): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    await sdk.send(
      new CreateEnvironmentCommand({
        name: `env-${i}`,
        templateName: 'crash',
        templateMajorVersion: '1',
        spec: `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n  seconds: 2\n`,
      }),
    );
  }
}

/** Every environment terminal; commands ran at most once, and exactly once for each success. */
async function checkOutcome(
  sdk: SdkClient,
  counterDir: string,
): Promise<{ succeeded: number; failed: number }> {
  const envs = await waitFor(
    async () => {
      const list = (await sdk.send(new ListEnvironmentsCommand({}))).environments ?? [];
      return list.length === COUNT &&
        list.every((e) => e.deploymentStatus === 'SUCCEEDED' || e.deploymentStatus === 'FAILED')
        ? list
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'all deployments to end' },
  );
  for (const e of envs) {
    const file = join(counterDir, e.name!);
    const runs = existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length
      : 0;
    expect(runs, `${e.name} ran ${runs} times`).toBeLessThanOrEqual(1);
    if (e.deploymentStatus === 'SUCCEEDED') expect(runs).toBe(1);
    else
      expect(e.deploymentStatusMessage).toMatch(
        /Nucleon stopped while this deployment was running/,
      );
  }
  return {
    succeeded: envs.filter((e) => e.deploymentStatus === 'SUCCEEDED').length,
    failed: envs.filter((e) => e.deploymentStatus === 'FAILED').length,
  };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('crash safety', () => {
  it('kill -9 of the whole process while 20 deployments run: after a restart every one ends correctly', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-crash-'));
    const dataDir = join(dir, 'data');
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-counter-'));
    try {
      const first = await startUp(['--port', '0'], baseEnv(dataDir));
      children.push(first.child);
      const sdk = await prepare(first.url);
      await createMany(sdk, counterDir);
      await new Promise((r) => setTimeout(r, 1500));
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const second = await startUp(['--port', '0'], baseEnv(dataDir));
      children.push(second.child);
      const sdk2 = new SdkClient({ endpoint: second.url, region: 'us-east-1', credentials: KEY });
      const outcome = await checkOutcome(sdk2, counterDir);
      expect(outcome.failed).toBeGreaterThan(0);
      expect(outcome.succeeded).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
    }
  });

  it('SIGTERM while deployments run: the process exits after its grace period, handing the jobs back; after a restart each ends per its guarantee', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-term-'));
    const dataDir = join(dir, 'data');
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-counter-'));
    try {
      const env = baseEnv(dataDir, { NUCLEON_SHUTDOWN_GRACE_MS: '1000' });
      const first = await startUp(['--port', '0'], env);
      children.push(first.child);
      const sdk = await prepare(first.url);
      const names = ['long-0', 'long-1'];
      for (const name of names) {
        // Ten-minute commands: the process can only exit because the grace period ends and they are stopped.
        await sdk.send(
          new CreateEnvironmentCommand({
            name,
            templateName: 'crash',
            templateMajorVersion: '1',
            spec: `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n  seconds: 600\n`,
          }),
        );
      }
      await waitFor(
        async () => (names.every((n) => existsSync(join(counterDir, n))) ? true : undefined),
        { timeoutMs: 60_000, what: 'the commands to start' },
      );
      const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(first.output()).toMatch(/handing running jobs back to the queue/);

      const second = await startUp(['--port', '0'], env);
      children.push(second.child);
      const sdk2 = new SdkClient({ endpoint: second.url, region: 'us-east-1', credentials: KEY });
      const envs = await waitFor(
        async () => {
          const list = (await sdk2.send(new ListEnvironmentsCommand({}))).environments ?? [];
          return list.length === names.length && list.every((e) => e.deploymentStatus === 'FAILED')
            ? list
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'the handed-back deployments to end' },
      );
      for (const e of envs) {
        expect(e.deploymentStatusMessage).toMatch(
          /Nucleon stopped while this deployment was running/,
        );
        expect(
          readFileSync(join(counterDir, e.name!), 'utf8').split('\n').filter(Boolean),
        ).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('kill -9 right after the commands ran, before their result is recorded: after a restart the deployment ends FAILED and the commands are not repeated', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-kill-step-'));
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-counter-'));
    try {
      const env = baseEnv(join(dir, 'data'));
      // Test-only fault injection: the process kills itself with SIGKILL at this step of this environment.
      const first = await startUp(['--port', '0'], {
        ...env,
        NUCLEON_FAULTS: 'engine-running@victim=kill',
      });
      children.push(first.child);
      const exited = new Promise<string | null>((resolve) =>
        first.child.once('exit', (_code, signal) => resolve(signal)),
      );
      const sdk = await prepare(first.url);
      await sdk.send(
        new CreateEnvironmentCommand({
          name: 'victim',
          templateName: 'crash',
          templateMajorVersion: '1',
          spec: `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n  seconds: 0\n`,
        }),
      );
      expect(await exited).toBe('SIGKILL');
      expect(
        readFileSync(join(counterDir, 'victim'), 'utf8').split('\n').filter(Boolean),
      ).toHaveLength(1);

      const second = await startUp(['--port', '0'], env);
      children.push(second.child);
      const sdk2 = new SdkClient({ endpoint: second.url, region: 'us-east-1', credentials: KEY });
      const victim = await waitFor(
        async () => {
          const e = (await sdk2.send(new ListEnvironmentsCommand({}))).environments?.find(
            (x) => x.name === 'victim',
          );
          return e && e.deploymentStatus !== 'IN_PROGRESS' ? e : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'the interrupted deployment to end' },
      );
      expect(victim.deploymentStatus).toBe('FAILED');
      expect(victim.deploymentStatusMessage).toMatch(
        /Nucleon stopped while this deployment was running/,
      );
      expect(
        readFileSync(join(counterDir, 'victim'), 'utf8').split('\n').filter(Boolean),
      ).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('kill -9 of one of two workers on PostgreSQL: the other takes over its jobs', async (ctx) => {
    if (!requireOrSkip(await postgresUnavailable())) return ctx.skip();
    assertBuilt();
    const db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-crash-pg-'));
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-counter-'));
    try {
      const env = baseEnv(join(dir, 'data'), { DATABASE_URL: db.url });
      const server = await startUp(['--port', '0'], { ...env, NUCLEON_WORKER_CONCURRENCY: '0' });
      children.push(server.child);
      const workers = [0, 1].map(() =>
        spawn(process.execPath, [cliPath, 'worker'], {
          env: { ...process.env, ...env, NUCLEON_LOG_LEVEL: 'warn' },
          stdio: 'ignore',
        }),
      );
      children.push(...workers);
      const sdk = await prepare(server.url);
      await createMany(sdk, counterDir);
      await new Promise((r) => setTimeout(r, 2500));
      workers[0]!.kill('SIGKILL');
      const outcome = await checkOutcome(sdk, counterDir);
      expect(outcome.succeeded + outcome.failed).toBe(COUNT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
      for (const c of children.splice(0)) c.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await db.drop();
    }
  });
});
