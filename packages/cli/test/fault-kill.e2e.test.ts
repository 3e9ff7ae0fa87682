import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
  type Environment,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { openDatabase } from '@nucleon/server';
import { waitFor } from '@nucleon/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, startUp } from './run-cli.js';

const KEY = {
  accessKeyId: 'AKIANUCLEONKILLTEST1',
  secretAccessKey: 'nucleon-kill-test-secret-key-000000000000',
};
// The counter template of the server's fault suite: it counts its runs and keeps its scoped credentials.
const bundleDir = fileURLToPath(
  new URL('../../server/test/fixtures/bundles/env-counter', import.meta.url),
);
const serviceBundleDir = fileURLToPath(
  new URL('../../server/test/fixtures/bundles/svc-counter', import.meta.url),
);
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETE_FAILED']);

/**
 * A `kill -9` of the whole process at each step of one environment's deployment (test-only
 * `NUCLEON_FAULTS=<step>@<name>=kill`), then a restart on the same data dir. CodeBuild commands run at
 * most once: a crash before the engine is retried; once the engine may have started, the deployment
 * ends FAILED; once the result is recorded, it stays SUCCEEDED.
 */
const STEPS: Array<{ step: string; status: string; runs: number }> = [
  { step: 'claim', status: 'SUCCEEDED', runs: 1 },
  { step: 'render', status: 'SUCCEEDED', runs: 1 },
  { step: 'engine-start', status: 'FAILED', runs: 0 },
  { step: 'finish', status: 'FAILED', runs: 1 },
  { step: 'outputs-recorded', status: 'SUCCEEDED', runs: 1 },
];

const env = (dataDir: string, faults?: string) => ({
  NUCLEON_ROOT_ACCESS_KEY_ID: KEY.accessKeyId,
  NUCLEON_ROOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
  NUCLEON_DATA_DIR: dataDir,
  NUCLEON_JOB_LEASE_MS: '3000',
  NUCLEON_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
  // The template counts its runs in a host folder outside its workspace, which the sandbox forbids.
  NUCLEON_RUNNER_SANDBOX: 'off',
  ...(faults ? { NUCLEON_FAULTS: faults } : {}),
});
const spec = (counterDir: string) =>
  `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n`;
const sdkAt = (url: string) =>
  new SdkClient({ endpoint: url, region: 'us-east-1', credentials: KEY });

function runs(counterDir: string, name: string): number {
  const file = join(counterDir, `${name}.provision`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function publish(url: string): Promise<void> {
  const sdk = sdkAt(url);
  const content = execFileSync('tar', ['-czf', '-', '-C', bundleDir, '.']).toString('base64');
  const own = new ProtonClient({ endpoint: url, region: 'us-east-1', credentials: KEY });
  const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
    key: 'counter.tar.gz',
    content,
  })) as { s3: { bucket: string; key: string } };
  await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'counter' }));
  await sdk.send(
    new CreateEnvironmentTemplateVersionCommand({ templateName: 'counter', source: { s3 } }),
  );
  const ref = { templateName: 'counter', majorVersion: '1', minorVersion: '0' };
  await waitUntilEnvironmentTemplateVersionRegistered(
    { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    ref,
  );
  await sdk.send(new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
}

/** Publishes the counter service template (instances only), compatible with `counter`. */
async function publishService(url: string): Promise<void> {
  const sdk = sdkAt(url);
  const content = execFileSync('tar', ['-czf', '-', '-C', serviceBundleDir, '.']).toString(
    'base64',
  );
  const own = new ProtonClient({ endpoint: url, region: 'us-east-1', credentials: KEY });
  const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
    key: 'svc-counter.tar.gz',
    content,
  })) as { s3: { bucket: string; key: string } };
  await sdk.send(
    new CreateServiceTemplateCommand({ name: 'svc', pipelineProvisioning: 'CUSTOMER_MANAGED' }),
  );
  await sdk.send(
    new CreateServiceTemplateVersionCommand({
      templateName: 'svc',
      source: { s3 },
      compatibleEnvironmentTemplates: [{ templateName: 'counter', majorVersion: '1' }],
    }),
  );
  const ref = { templateName: 'svc', majorVersion: '1', minorVersion: '0' };
  await waitUntilServiceTemplateVersionRegistered(
    { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    ref,
  );
  await sdk.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
}

const settled = (url: string, name: string): Promise<Environment> =>
  waitFor(
    async () => {
      const e = (await sdkAt(url).send(new GetEnvironmentCommand({ name }))).environment;
      return e && TERMINAL.has(e.deploymentStatus!) ? e : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `environment ${name} to reach a terminal state` },
  );

/** The scoped credentials `name`'s commands were given no longer authenticate. */
async function expectRevoked(url: string, counterDir: string, name: string): Promise<void> {
  const [accessKeyId, secretAccessKey, sessionToken] = readFileSync(
    join(counterDir, `${name}.creds`),
    'utf8',
  ).split('\n');
  const client = new SdkClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey: secretAccessKey!,
      sessionToken: sessionToken!,
    },
    maxAttempts: 1,
  });
  await expect(
    client.send(new GetEnvironmentCommand({ name })),
    `${name}'s credentials`,
  ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('fault injection: kill -9 at each step of a deployment, then a restart on the same data dir', () => {
  it('every deployment ends as its step allows, no command ran more than once, no credential outlives its deployment, the bystander is untouched', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-fault-kill-'));
    const dataDir = join(dir, 'data');
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-fault-kill-counter-'));
    try {
      // One process per step: it recovers the previous step's deployment, then dies at its own step.
      let previous: string | undefined;
      let bystander: Environment | undefined;
      for (const s of STEPS) {
        const name = `k-${s.step}`;
        const up = await startUp(['--port', '0'], env(dataDir, `${s.step}@${name}=kill`));
        children.push(up.child);
        const killed = new Promise<string | null>((resolve) =>
          up.child.once('exit', (_code, signal) => resolve(signal)),
        );
        if (!bystander) {
          await publish(up.url);
          await sdkAt(up.url).send(
            new CreateEnvironmentCommand({
              name: 'bystander',
              templateName: 'counter',
              templateMajorVersion: '1',
              spec: spec(counterDir),
            }),
          );
          bystander = await settled(up.url, 'bystander');
          expect(bystander.deploymentStatus).toBe('SUCCEEDED');
        }
        if (previous) await settled(up.url, previous);
        await sdkAt(up.url).send(
          new CreateEnvironmentCommand({
            name,
            templateName: 'counter',
            templateMajorVersion: '1',
            spec: spec(counterDir),
          }),
        );
        expect({ step: s.step, signal: await killed }).toEqual({ step: s.step, signal: 'SIGKILL' });
        previous = name;
      }

      const last = await startUp(['--port', '0'], env(dataDir));
      children.push(last.child);
      for (const s of STEPS) {
        const name = `k-${s.step}`;
        const e = await settled(last.url, name);
        expect({ step: s.step, status: e.deploymentStatus, runs: runs(counterDir, name) }).toEqual({
          step: s.step,
          status: s.status,
          runs: s.runs,
        });
        if (s.status === 'FAILED')
          expect(e.deploymentStatusMessage).toMatch(
            /Nucleon stopped while this deployment was running/,
          );
        if (s.runs > 0) await expectRevoked(last.url, counterDir, name);
      }
      const now = (await sdkAt(last.url).send(new GetEnvironmentCommand({ name: 'bystander' })))
        .environment!;
      expect(now.lastSucceededDeploymentId).toBe(bystander!.lastSucceededDeploymentId);
      expect(runs(counterDir, 'bystander')).toBe(1);
      await expectRevoked(last.url, counterDir, 'bystander');

      // No scoped credential is stored for a deployment that has ended (read once the server stopped).
      const stopped = new Promise((resolve) => last.child.once('exit', resolve));
      last.child.kill('SIGTERM');
      await stopped;
      const database = await openDatabase({ dataDir });
      try {
        const left = await database.db
          .selectFrom('access_keys')
          .innerJoin('deployments', 'deployments.id', 'access_keys.deployment_id')
          .select(['deployments.target_name', 'deployments.status'])
          .where('deployments.status', 'not in', ['IN_PROGRESS', 'CANCELLING'])
          .execute();
        expect(left).toEqual([]);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
    }
  }, 600_000);

  it('kill -9 in the job that settles a service once its instance is deployed: after a restart the service is ACTIVE and nothing ran again', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-fault-kill-svc-'));
    const dataDir = join(dir, 'data');
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-fault-kill-counter-'));
    try {
      const up = await startUp(['--port', '0'], env(dataDir, 'reconcile@web=kill'));
      children.push(up.child);
      const killed = new Promise<string | null>((resolve) =>
        up.child.once('exit', (_code, signal) => resolve(signal)),
      );
      await publish(up.url);
      await publishService(up.url);
      await sdkAt(up.url).send(
        new CreateEnvironmentCommand({
          name: 'dev',
          templateName: 'counter',
          templateMajorVersion: '1',
          spec: spec(counterDir),
        }),
      );
      const dev = await settled(up.url, 'dev');
      expect(dev.deploymentStatus).toBe('SUCCEEDED');
      await sdkAt(up.url).send(
        new CreateServiceCommand({
          name: 'web',
          templateName: 'svc',
          templateMajorVersion: '1',
          spec: `proton: ServiceSpec\ninstances:\n  - name: one\n    environment: dev\n    spec:\n      counter_dir: ${counterDir}\n`,
        }),
      );
      expect(await killed).toBe('SIGKILL');
      expect(runs(counterDir, 'web.one')).toBe(1);

      const again = await startUp(['--port', '0'], env(dataDir));
      children.push(again.child);
      const sdk = sdkAt(again.url);
      const service = await waitFor(
        async () => {
          const s = (await sdk.send(new GetServiceCommand({ name: 'web' }))).service!;
          return s.status === 'CREATE_IN_PROGRESS' ? undefined : s;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'the service to settle' },
      );
      expect(service.status).toBe('ACTIVE');
      const instance = (
        await sdk.send(new GetServiceInstanceCommand({ serviceName: 'web', name: 'one' }))
      ).serviceInstance!;
      expect(instance.deploymentStatus).toBe('SUCCEEDED');
      expect(runs(counterDir, 'web.one')).toBe(1);
      await expectRevoked(again.url, counterDir, 'web.one');
      // The environment under it is untouched.
      const devNow = (await sdk.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
      expect(devNow.lastSucceededDeploymentId).toBe(dev.lastSucceededDeploymentId);
      expect(runs(counterDir, 'dev')).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(counterDir, { recursive: true, force: true });
    }
  }, 300_000);
});
