import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  NotifyResourceDeploymentStatusChangeCommand,
  waitUntilEnvironmentDeployed,
  type ProtonClient,
} from '@aws-sdk/client-proton';
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
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const ENV_SPEC = 'proton: EnvironmentSpec\nspec: {}\n';
const SERVICE_SPEC =
  'proton: ServiceSpec\ninstances:\n  - name: a\n    environment: dev\n    spec: {}\n  - name: b\n    environment: dev\n    spec: {}\n';

/**
 * The process that ends a deployment may stop before the service's status is recomputed. A
 * server without a worker (`nucleon server` beside a worker that is down) ends deployments
 * through NotifyResourceDeploymentStatusChange; the reconcile job committed with each end is
 * what a worker started later on the same database picks up.
 */
for (const dialect of testDialects())
  describe(`a service's status survives a stop between a deployment's end and its reconcile (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-restart-'));
    const database = dialect === 'postgres' ? await createTestDatabase() : undefined;
    const config = loadConfig({
      NUCLEON_PORT: '0',
      NUCLEON_DATA_DIR: dataDir,
      NUCLEON_ACCOUNT_ID: '123456789012',
      NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
      NUCLEON_STRICT_WIRE: 'true',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    let running: TestServer | undefined;

    /** Starts the composition root on the same data dir and database, with or without a worker. */
    const boot = async (worker: boolean): Promise<TestServer> => {
      const nucleon = await createNucleon(config, { logger: silentLogger, worker });
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
    const halt = async () => {
      await running?.stop();
      running = undefined;
    };
    afterAll(async () => {
      await halt();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('reaches ACTIVE after a restart, from the reconcile job enqueued with the deployment end; an interrupted delete ends DELETE_FAILED', async () => {
      // 1. With a worker: templates registered, a CodeBuild environment deployed.
      let server = await boot(true);
      let proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'cfn-env',
        fixture: 'env-cfn',
      });
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'cfn-svc',
        fixture: 'svc-cfn-nopipe',
        compatible: [{ templateName: 'cfn-env', majorVersion: '1' }],
      });
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'cb-env',
        fixture: 'env-codebuild',
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'doomed',
          templateName: 'cb-env',
          templateMajorVersion: '1',
          spec: ENV_SPEC,
        }),
      );
      await waitUntilEnvironmentDeployed(w(proton), { name: 'doomed' });
      await halt();

      // 2. Without a worker: deployments end only through NotifyResourceDeploymentStatusChange.
      server = await boot(false);
      proton = sdkClient(server);
      const notify = async (resourceArn: string, deploymentId: string) =>
        proton.send(
          new NotifyResourceDeploymentStatusChangeCommand({
            resourceArn,
            deploymentId,
            status: 'SUCCEEDED',
          }),
        );
      const env = (
        await proton.send(
          new CreateEnvironmentCommand({
            name: 'dev',
            templateName: 'cfn-env',
            templateMajorVersion: '1',
            spec: ENV_SPEC,
          }),
        )
      ).environment!;
      await notify(
        env.arn!,
        (await proton.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!
          .lastAttemptedDeploymentId!,
      );
      expect(
        (await proton.send(new GetEnvironmentCommand({ name: 'dev' }))).environment
          ?.deploymentStatus,
      ).toBe('SUCCEEDED');
      await proton.send(
        new CreateServiceCommand({
          name: 'svc',
          templateName: 'cfn-svc',
          templateMajorVersion: '1',
          spec: SERVICE_SPEC,
        }),
      );
      for (const name of ['a', 'b']) {
        const inst = (
          await proton.send(new GetServiceInstanceCommand({ serviceName: 'svc', name }))
        ).serviceInstance!;
        await notify(inst.arn!, inst.lastAttemptedDeploymentId!);
        expect(
          (await proton.send(new GetServiceInstanceCommand({ serviceName: 'svc', name })))
            .serviceInstance?.deploymentStatus,
        ).toBe('SUCCEEDED');
      }
      // Every deployment has ended, and nothing has recomputed the service yet.
      expect((await proton.send(new GetServiceCommand({ name: 'svc' }))).service?.status).toBe(
        'CREATE_IN_PROGRESS',
      );
      const jobs = await sql<{
        payload: unknown;
      }>`select payload from jobs where queue = 'reconcile-service'`.execute(
        server.nucleon.database.db,
      );
      expect(
        jobs.rows.map((r) =>
          typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload,
        ),
        // One waiting reconcile covers both ends: the second end found it unclaimed and locked it.
      ).toEqual([{ serviceName: 'svc' }]);
      // A delete whose worker died mid-run: its job was claimed once and its lease has lapsed.
      await proton.send(new DeleteEnvironmentCommand({ name: 'doomed' }));
      await sql`update jobs set attempts = 1, locked_until = now() - interval '1 second' where queue = 'deploy' and payload->>'deploymentId' = (select last_attempted_deployment_id from resources where kind = 'ENVIRONMENT' and name = 'doomed')`.execute(
        server.nucleon.database.db,
      );
      // …after its commands may have started (its rendered files were recorded).
      await sql`update deployments set rendered = '{}'::jsonb where id = (select last_attempted_deployment_id from resources where kind = 'ENVIRONMENT' and name = 'doomed')`.execute(
        server.nucleon.database.db,
      );
      await halt();

      // 3. A worker starts on the same database: the service reaches its final status.
      server = await boot(true);
      proton = sdkClient(server);
      const svc = await waitFor(
        async () => {
          const s = (await proton.send(new GetServiceCommand({ name: 'svc' }))).service!;
          return s.status === 'CREATE_IN_PROGRESS' ? undefined : s;
        },
        { timeoutMs: 60_000, what: 'the service to be reconciled' },
      );
      expect(svc.status).toBe('ACTIVE');
      const doomed = await waitFor(
        async () => {
          const e = (await proton.send(new GetEnvironmentCommand({ name: 'doomed' }))).environment!;
          return e.deploymentStatus === 'DELETE_IN_PROGRESS' ? undefined : e;
        },
        { timeoutMs: 60_000, what: 'the interrupted delete to end' },
      );
      expect(doomed.deploymentStatus).toBe('DELETE_FAILED');
      expect(doomed.deploymentStatusMessage).toMatch(
        /Nucleon stopped while this deployment was running/,
      );
      await waitFor(
        async () => {
          const left = await sql<{
            n: string;
          }>`select count(*) as n from jobs where queue = 'reconcile-service'`.execute(
            server.nucleon.database.db,
          );
          return Number(left.rows[0]?.n) === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'the reconcile jobs to be done' },
      );
    });
  });
