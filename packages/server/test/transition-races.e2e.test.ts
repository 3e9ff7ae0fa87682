import {
  CancelServiceInstanceDeploymentCommand,
  ConflictException,
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListServiceInstancesCommand,
  ResourceNotFoundException,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  type ProtonClient,
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
import { publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const ENV_SPEC = 'proton: EnvironmentSpec\nspec: {}\n';
const spec = (instances: Array<[name: string, env: string]>) =>
  `proton: ServiceSpec\ninstances:\n${instances.map(([n, e]) => `  - name: ${n}\n    environment: ${e}\n    spec:\n      sleep_seconds: 0\n`).join('')}`;
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETE_FAILED']);

for (const dialect of testDialects())
  describe(`state changes are atomic under concurrent requests (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;

    const settledService = (name: string) =>
      waitFor(
        async () => {
          const s = (await proton.send(new GetServiceCommand({ name }))).service!;
          return s.status?.endsWith('IN_PROGRESS') ? undefined : s;
        },
        { timeoutMs: 60_000, what: `${name} to settle` },
      );
    const settledInstance = (serviceName: string, name: string) =>
      waitFor(
        async () => {
          const i = (await proton.send(new GetServiceInstanceCommand({ serviceName, name })))
            .serviceInstance!;
          return TERMINAL.has(i.deploymentStatus!) ? i : undefined;
        },
        { timeoutMs: 60_000, what: `${serviceName}/${name} to settle` },
      );
    const createEnvironment = async (name: string) => {
      await proton.send(
        new CreateEnvironmentCommand({
          name,
          templateName: 'env',
          templateMajorVersion: '1',
          spec: ENV_SPEC,
        }),
      );
      await waitUntilEnvironmentDeployed(w(proton), { name });
    };

    beforeAll(async () => {
      server = await startTestServer({ dialect, env: { NUCLEON_WORKER_CONCURRENCY: '4' } });
      proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'env',
        fixture: 'env-codebuild',
      });
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'svc',
        fixture: 'svc-codebuild',
        compatible: [{ templateName: 'env', majorVersion: '1' }],
      });
      await createEnvironment('dev');
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('never leaves a resource CANCELLING when a cancel races the deployment finishing', async () => {
      await proton.send(
        new CreateServiceCommand({
          name: 'race',
          templateName: 'svc',
          templateMajorVersion: '1',
          spec: spec([['web', 'dev']]),
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'race' })).state).toBe('SUCCESS');
      const outcomes = new Set<string>();
      for (let i = 0; i < 12; i++) {
        await proton.send(
          new UpdateServiceInstanceCommand({
            serviceName: 'race',
            name: 'web',
            deploymentType: 'CURRENT_VERSION',
            spec: spec([['web', 'dev']]),
          }),
        );
        // Cancel at a different point of the run each time: before it starts, while it runs, as it ends.
        await new Promise((r) => setTimeout(r, (i % 6) * 60));
        const cancel = await proton
          .send(
            new CancelServiceInstanceDeploymentCommand({
              serviceName: 'race',
              serviceInstanceName: 'web',
            }),
          )
          .then(
            () => 'accepted',
            (error: unknown) => {
              // Losing the race is a clear error, never a half-done cancel.
              expect(error).toSatisfy(
                (e) => e instanceof ConflictException || e instanceof ValidationException,
              );
              return 'refused';
            },
          );
        const end = await settledInstance('race', 'web');
        outcomes.add(`${cancel}:${end.deploymentStatus}`);
        if (cancel === 'refused') expect(end.deploymentStatus).toBe('SUCCEEDED');
        else expect(['CANCELLED', 'SUCCEEDED']).toContain(end.deploymentStatus);
      }
      // Whatever the interleaving, the next update is accepted and succeeds.
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'race',
          name: 'web',
          deploymentType: 'CURRENT_VERSION',
          spec: spec([['web', 'dev']]),
        }),
      );
      expect((await settledInstance('race', 'web')).deploymentStatus).toBe('SUCCEEDED');
      expect((await settledService('race')).status).toBe('ACTIVE');
      // The loop really exercised cancellation (at least one cancel got through to the running deployment).
      expect([...outcomes].some((o) => o.startsWith('accepted'))).toBe(true);
    });

    it('lets exactly one of two simultaneous UpdateService calls through; the other gets ConflictException', async () => {
      await proton.send(
        new CreateServiceCommand({
          name: 'twice',
          templateName: 'svc',
          templateMajorVersion: '1',
          spec: spec([['a', 'dev']]),
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'twice' })).state).toBe('SUCCESS');
      for (const round of [1, 2, 3]) {
        const specs = [
          spec([
            ['a', 'dev'],
            [`x${round}`, 'dev'],
          ]),
          spec([
            ['a', 'dev'],
            [`y${round}`, 'dev'],
          ]),
        ];
        const results = await Promise.allSettled(
          specs.map((s) => proton.send(new UpdateServiceCommand({ name: 'twice', spec: s }))),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected');
        expect(lost?.reason).toBeInstanceOf(ConflictException);
        const settled = await settledService('twice');
        expect(settled.status).toBe('ACTIVE');
        expect(settled.spec).toBe(specs[won[0]!]);
        const names = (
          (await proton.send(new ListServiceInstancesCommand({ serviceName: 'twice' })))
            .serviceInstances ?? []
        )
          .map((i) => i.name)
          .sort();
        expect(names).toEqual(['a', won[0] === 0 ? `x${round}` : `y${round}`]);
      }
    });

    it('lets exactly one of DeleteEnvironment and a CreateService into that environment through, leaving no instance in a deleted environment', async () => {
      const winners = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const env = `doomed-${i}`;
        await createEnvironment(env);
        const [del, create] = await Promise.allSettled([
          proton.send(new DeleteEnvironmentCommand({ name: env })),
          proton.send(
            new CreateServiceCommand({
              name: `tenant-${i}`,
              templateName: 'svc',
              templateMajorVersion: '1',
              spec: spec([['web', env]]),
            }),
          ),
        ]);
        expect([del.status, create.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
        if (del.status === 'fulfilled') {
          winners.add('delete');
          expect((create as PromiseRejectedResult).reason).toSatisfy(
            (e) => e instanceof ConflictException || e instanceof ValidationException,
          );
          await waitFor(
            () =>
              proton.send(new GetEnvironmentCommand({ name: env })).then(
                () => undefined,
                (e: unknown) => (e instanceof ResourceNotFoundException ? true : undefined),
              ),
            { timeoutMs: 60_000, what: `${env} to be deleted` },
          );
          await expect(
            proton.send(new GetServiceCommand({ name: `tenant-${i}` })),
          ).rejects.toBeInstanceOf(ResourceNotFoundException);
        } else {
          winners.add('create');
          expect(del.reason).toBeInstanceOf(ConflictException);
          expect((await settledService(`tenant-${i}`)).status).toBe('ACTIVE');
          expect(
            (await proton.send(new GetEnvironmentCommand({ name: env }))).environment
              ?.deploymentStatus,
          ).toBe('SUCCEEDED');
        }
      }
      // Every instance that exists lives in an environment that exists.
      const instances =
        (await proton.send(new ListServiceInstancesCommand({}))).serviceInstances ?? [];
      for (const inst of instances) {
        expect(
          (await proton.send(new GetEnvironmentCommand({ name: inst.environmentName! })))
            .environment?.name,
        ).toBe(inst.environmentName);
      }
      expect(winners.size).toBeGreaterThan(0);
    });
  });
