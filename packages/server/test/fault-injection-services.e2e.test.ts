import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListServiceInstancesCommand,
  waitUntilEnvironmentDeployed,
  type ProtonClient,
  type Service,
  type ServiceInstance,
} from '@aws-sdk/client-proton';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCredentialsRevoked, keysOfEndedDeployments, runs } from './fault-checks.js';
import { publishFixture, sdkClient } from './helpers.js';

/**
 * One service per step, each with one instance and a thrown error at that step (`reconcile`: in the
 * job that moves the service through its statuses once the instance's deployment ended).
 */
const STEPS: Array<{ step: string; instance: string; service: string; runs: number }> = [
  // Before the engine: the job is retried and the instance is deployed.
  { step: 'claim', instance: 'SUCCEEDED', service: 'ACTIVE', runs: 1 },
  { step: 'render', instance: 'SUCCEEDED', service: 'ACTIVE', runs: 1 },
  // The engine was reached: CodeBuild commands run at most once, so the instance fails and Proton's
  // cleanup of a failed CreateService deletes it.
  { step: 'engine-start', instance: 'FAILED', service: 'CREATE_FAILED_CLEANUP_COMPLETE', runs: 0 },
  {
    step: 'engine-running',
    instance: 'FAILED',
    service: 'CREATE_FAILED_CLEANUP_COMPLETE',
    runs: 1,
  },
  { step: 'finish', instance: 'FAILED', service: 'CREATE_FAILED_CLEANUP_COMPLETE', runs: 1 },
  // The result is recorded: the retry finds the deployment ended and leaves it.
  { step: 'outputs-recorded', instance: 'SUCCEEDED', service: 'ACTIVE', runs: 1 },
  // The reconcile job is retried: the service still becomes ACTIVE.
  { step: 'reconcile', instance: 'SUCCEEDED', service: 'ACTIVE', runs: 1 },
];
const subject = (step: string) => (step === 'reconcile' ? `s-${step}` : `i-${step}`);
const FAULTS = STEPS.map((s) => `${s.step}@${subject(s.step)}`).join(',');
const SETTLED_SERVICE =
  /^(ACTIVE|CREATE_FAILED|CREATE_FAILED_CLEANUP_COMPLETE|CREATE_FAILED_CLEANUP_FAILED|UPDATE_FAILED|DELETE_FAILED|UPDATE_COMPLETE_CLEANUP_FAILED)$/;

const serviceSpec = (instance: string, counterDir: string) =>
  `proton: ServiceSpec\ninstances:\n  - name: ${instance}\n    environment: dev\n    spec:\n      counter_dir: ${counterDir}\n`;

for (const dialect of testDialects())
  describe(`fault injection: a thrown error at each step of a service instance's deployment (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    const counterDir = mkdtempSync(join(tmpdir(), 'nucleon-fault-svc-'));

    const settledService = (name: string): Promise<Service> =>
      waitFor(
        async () => {
          const s = (await proton.send(new GetServiceCommand({ name }))).service!;
          return SETTLED_SERVICE.test(s.status!) ? s : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: `service ${name} to reach a terminal status` },
      );
    const instanceOf = async (serviceName: string, name: string): Promise<ServiceInstance> =>
      (await proton.send(new GetServiceInstanceCommand({ serviceName, name }))).serviceInstance!;

    beforeAll(async () => {
      server = await startTestServer({
        dialect,
        env: {
          NUCLEON_FAULTS: FAULTS,
          NUCLEON_WORKER_CONCURRENCY: '4',
          NUCLEON_RUNNER_SANDBOX: 'off',
        },
      });
      proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'env',
        fixture: 'env-counter',
      });
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'svc',
        fixture: 'svc-counter',
        compatible: [{ templateName: 'env', majorVersion: '1' }],
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'dev',
          templateName: 'env',
          templateMajorVersion: '1',
          spec: `proton: EnvironmentSpec\nspec:\n  counter_dir: ${counterDir}\n`,
        }),
      );
      await waitUntilEnvironmentDeployed(
        { client: proton, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
        { name: 'dev' },
      );
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(counterDir, { recursive: true, force: true });
    });

    it('every instance and service reaches the terminal status its step allows; commands ran at most once; credentials died; the bystander is untouched', async () => {
      // A bystander service deployed before the faults: nothing that happens to the others touches it.
      await proton.send(
        new CreateServiceCommand({
          name: 'bystander',
          templateName: 'svc',
          templateMajorVersion: '1',
          spec: serviceSpec('by', counterDir),
        }),
      );
      expect((await settledService('bystander')).status).toBe('ACTIVE');
      const before = await instanceOf('bystander', 'by');
      expect(before.deploymentStatus).toBe('SUCCEEDED');

      for (const s of STEPS)
        await proton.send(
          new CreateServiceCommand({
            name: `s-${s.step}`,
            templateName: 'svc',
            templateMajorVersion: '1',
            spec: serviceSpec(`i-${s.step}`, counterDir),
          }),
        );

      for (const s of STEPS) {
        const service = await settledService(`s-${s.step}`);
        const name = `s-${s.step}.i-${s.step}`;
        expect({ step: s.step, service: service.status, runs: runs(counterDir, name) }).toEqual({
          step: s.step,
          service: s.service,
          runs: s.runs,
        });
        if (s.instance === 'SUCCEEDED') {
          const instance = await instanceOf(`s-${s.step}`, `i-${s.step}`);
          expect({ step: s.step, instance: instance.deploymentStatus }).toEqual({
            step: s.step,
            instance: 'SUCCEEDED',
          });
        } else {
          expect(service.statusMessage).toMatch(
            new RegExp(`instance i-${s.step}: FAILED \\(.*injected fault at step ${s.step}`),
          );
          // The cleanup deleted the failed instance, running its deprovision commands at most once.
          const left =
            (await proton.send(new ListServiceInstancesCommand({ serviceName: `s-${s.step}` })))
              .serviceInstances ?? [];
          expect(left).toEqual([]);
          expect(runs(counterDir, name, 'deprovision')).toBeLessThanOrEqual(1);
        }
        if (s.runs > 0) await expectCredentialsRevoked(server.url, counterDir, name);
      }
      expect(await keysOfEndedDeployments(server)).toEqual([]);

      // The bystander: same deployment, same outputs, its commands never ran again.
      const after = await instanceOf('bystander', 'by');
      expect(after.deploymentStatus).toBe('SUCCEEDED');
      expect(after.lastDeploymentSucceededAt).toEqual(before.lastDeploymentSucceededAt);
      expect(after.lastSucceededDeploymentId).toBe(before.lastSucceededDeploymentId);
      expect(runs(counterDir, 'bystander.by')).toBe(1);
      expect(runs(counterDir, 'bystander.by', 'deprovision')).toBe(0);
    });
  });
