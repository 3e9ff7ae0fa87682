import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  ListDeploymentsCommand,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
  type Deployment,
  type Environment,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig, type Nucleon } from '@nucleon/server';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysOfEndedDeployments } from './fault-checks.js';
import { pushFixture, sdkClient } from './helpers.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETE_FAILED']);

/** The environments of the per-step suite: one per step, each with a thrown error at that step. */
const STEPS: Array<{ step: string; status: string; runs: number; message?: RegExp }> = [
  // Before the engine: the job is retried and the deployment succeeds.
  { step: 'claim', status: 'SUCCEEDED', runs: 1 },
  { step: 'render', status: 'SUCCEEDED', runs: 1 },
  // The engine was reached: CodeBuild commands run at most once, so the deployment ends with the cause.
  {
    step: 'engine-start',
    status: 'FAILED',
    runs: 0,
    message: /injected fault at step engine-start/,
  },
  {
    step: 'engine-running',
    status: 'FAILED',
    runs: 1,
    message: /injected fault at step engine-running/,
  },
  { step: 'finish', status: 'FAILED', runs: 1, message: /injected fault at step finish/ },
  // The result is recorded: the retry finds the deployment ended and leaves it.
  { step: 'outputs-recorded', status: 'SUCCEEDED', runs: 1 },
  { step: 'reconcile', status: 'SUCCEEDED', runs: 1 },
];

const FAULTS = [
  ...STEPS.map((s) => `${s.step}@f-${s.step}`),
  'render@transient',
  'render@given-up:99',
  'render@doomed/delete:99',
].join(',');

const spec = (counterDir: string, seconds = 0) =>
  `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n  seconds: ${seconds}\n`;

function runs(
  counterDir: string,
  name: string,
  what: 'provision' | 'deprovision' = 'provision',
): number {
  const file = join(counterDir, `${name}.${what}`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function publishCounterTemplate(
  server: { url: string; region: string; credentials: typeof TEST_ROOT_KEY },
  proton: ProtonClient,
): Promise<void> {
  await proton.send(new CreateEnvironmentTemplateCommand({ name: 'counter' }));
  await proton.send(
    new CreateEnvironmentTemplateVersionCommand({
      templateName: 'counter',
      source: { s3: await pushFixture(server as TestServer, 'env-counter') },
    }),
  );
  const ref = { templateName: 'counter', majorVersion: '1', minorVersion: '0' };
  await waitUntilEnvironmentTemplateVersionRegistered(
    { client: proton, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
    ref,
  );
  await proton.send(new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
}

/** The one deployment of an environment, in full. */
async function onlyDeployment(proton: ProtonClient, environmentName: string): Promise<Deployment> {
  const list =
    (await proton.send(new ListDeploymentsCommand({ environmentName }))).deployments ?? [];
  expect(list).toHaveLength(1);
  return (await proton.send(new GetDeploymentCommand({ id: list[0]!.id! }))).deployment!;
}

/** Waits until the environment's deployment is terminal (never stuck IN_PROGRESS) and returns it. */
async function settled(proton: ProtonClient, name: string): Promise<Environment> {
  return waitFor(
    async () => {
      const env = (await proton.send(new GetEnvironmentCommand({ name }))).environment;
      return env && TERMINAL.has(env.deploymentStatus!) ? env : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `environment ${name} to reach a terminal state` },
  );
}

for (const dialect of testDialects())
  describe(`fault injection: a thrown error at each step of a deployment (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-fault-counter-'));

    beforeAll(async () => {
      // The template counts its runs in a host folder outside its workspace, which the sandbox forbids.
      server = await startTestServer({
        dialect,
        env: { NUCLEON_FAULTS: FAULTS, NUCLEON_RUNNER_SANDBOX: 'off' },
      });
      proton = sdkClient(server);
      await publishCounterTemplate(server, proton);
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(counterDir, { recursive: true, force: true });
    });

    it('every deployment reaches the terminal state its step allows, and no command ran more than once', async () => {
      for (const s of STEPS) {
        await proton.send(
          new CreateEnvironmentCommand({
            name: `f-${s.step}`,
            templateName: 'counter',
            templateMajorVersion: '1',
            spec: spec(counterDir),
          }),
        );
      }
      for (const s of STEPS) {
        const env = await settled(proton, `f-${s.step}`);
        expect({ step: s.step, status: env.deploymentStatus }).toEqual({
          step: s.step,
          status: s.status,
        });
        expect({ step: s.step, runs: runs(counterDir, `f-${s.step}`) }).toEqual({
          step: s.step,
          runs: s.runs,
        });
        if (s.message) expect(env.deploymentStatusMessage).toMatch(s.message);
      }
      // No scoped credential outlives its deployment.
      expect(await keysOfEndedDeployments(server)).toEqual([]);
    });

    it('a deployment whose job fails with a transient error is retried and ends SUCCEEDED', async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'transient',
          templateName: 'counter',
          templateMajorVersion: '1',
          spec: spec(counterDir),
        }),
      );
      const env = await settled(proton, 'transient');
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      expect(runs(counterDir, 'transient')).toBe(1);
      const deployment = await onlyDeployment(proton, 'transient');
      expect(deployment.deploymentStatus).toBe('SUCCEEDED');
    });

    it('a deployment whose every attempt fails ends FAILED, saying what happened and what to do', async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'given-up',
          templateName: 'counter',
          templateMajorVersion: '1',
          spec: spec(counterDir),
        }),
      );
      const env = await settled(proton, 'given-up');
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(
        /gave up on this deployment after 3 attempts: the last attempt failed with: injected fault at step render/,
      );
      expect(env.deploymentStatusMessage).toMatch(/then deploy again/);
      expect(runs(counterDir, 'given-up')).toBe(0);
      const deployment = await onlyDeployment(proton, 'given-up');
      expect(deployment.deploymentStatus).toBe('FAILED');
      expect(deployment.deploymentStatusMessage).toBe(env.deploymentStatusMessage);
    });

    it('a delete whose every attempt fails ends DELETE_FAILED, and the environment stays', async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'doomed',
          templateName: 'counter',
          templateMajorVersion: '1',
          spec: spec(counterDir),
        }),
      );
      expect((await settled(proton, 'doomed')).deploymentStatus).toBe('SUCCEEDED');
      await proton.send(new DeleteEnvironmentCommand({ name: 'doomed' }));
      const env = await settled(proton, 'doomed');
      expect(env.deploymentStatus).toBe('DELETE_FAILED');
      expect(env.deploymentStatusMessage).toMatch(
        /gave up on this delete after 3 attempts: the last attempt failed with: injected fault at step render/,
      );
      expect(env.deploymentStatusMessage).toMatch(/delete the resource again/);
      expect(runs(counterDir, 'doomed', 'deprovision')).toBe(0);
    });
  });

/** The real composition root over an existing database (a restart). */
async function startNucleon(
  env: Record<string, string>,
): Promise<{ nucleon: Nucleon; url: string }> {
  const config = loadConfig({
    NUCLEON_PORT: '0',
    NUCLEON_ACCOUNT_ID: '123456789012',
    NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
    NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
    NUCLEON_STRICT_WIRE: 'true',
    ...env,
  });
  const nucleon = await createNucleon(config, { logger: silentLogger });
  const { url } = await nucleon.start();
  return { nucleon, url };
}

for (const dialect of testDialects())
  describe(`graceful stop (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;

    it('stop() gives a running deployment the grace period, then stops its commands and hands the job back; after a restart it ends per its guarantee', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-stop-'));
      const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-stop-counter-'));
      const db = dialect === 'postgres' ? await createTestDatabase() : undefined;
      const env = {
        NUCLEON_DATA_DIR: dataDir,
        NUCLEON_SHUTDOWN_GRACE_MS: '500',
        NUCLEON_RUNNER_SANDBOX: 'off',
        ...(db ? { DATABASE_URL: db.url } : {}),
      };
      let current: Nucleon | undefined;
      try {
        const first = await startNucleon(env);
        current = first.nucleon;
        const server = { url: first.url, region: 'us-east-1', credentials: TEST_ROOT_KEY };
        let proton = sdkClient(server as TestServer);
        await publishCounterTemplate(server, proton);
        await proton.send(
          new CreateEnvironmentCommand({
            name: 'long',
            templateName: 'counter',
            templateMajorVersion: '1',
            spec: spec(counterDir, 600),
          }),
        );
        await waitFor(async () => (runs(counterDir, 'long') === 1 ? true : undefined), {
          timeoutMs: 60_000,
          what: 'the commands to start',
        });
        // A ten-minute command: stop() returns only because the grace period ends and the command is killed.
        await current.stop();
        current = undefined;

        const second = await startNucleon(env);
        current = second.nucleon;
        proton = sdkClient({
          url: second.url,
          region: 'us-east-1',
          credentials: TEST_ROOT_KEY,
        } as TestServer);
        const settledEnv = await settled(proton, 'long');
        expect(settledEnv.deploymentStatus).toBe('FAILED');
        expect(settledEnv.deploymentStatusMessage).toMatch(
          /Nucleon stopped while this deployment was running/,
        );
        expect(settledEnv.deploymentStatusMessage).toMatch(/run at most once/);
        expect(runs(counterDir, 'long')).toBe(1);
      } finally {
        await current?.stop();
        await db?.drop();
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(counterDir, { recursive: true, force: true });
      }
    });
  });
