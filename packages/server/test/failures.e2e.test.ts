import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CreateEnvironmentCommand,
  CreateServiceCommand,
  CreateServiceInstanceCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  GetServiceInstanceCommand,
  ProtonClient,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  type Environment,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const envSpec = (inputs: Record<string, string>) =>
  `proton: EnvironmentSpec\nspec:\n${Object.entries(inputs)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join('')}`;

type Details = {
  deployment: { deploymentStatus: string; deploymentStatusMessage?: string };
  events: Array<{ kind: string; message: string }>;
};

for (const dialect of testDialects())
  describe(`failures say why (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    let scratch: string;

    const details = (id: string) =>
      nucleonClient(server).send(`${extensionTargetPrefix}.GetDeploymentDetails`, {
        id,
      }) as Promise<Details>;
    const environment = async (name: string) =>
      (await proton.send(new GetEnvironmentCommand({ name }))).environment!;
    const ended = (name: string) =>
      waitFor(
        async () => {
          const env = await environment(name);
          return env.deploymentStatus === 'IN_PROGRESS' ? undefined : env;
        },
        { timeoutMs: 60_000, what: `the deployment of ${name} to end` },
      );
    /** Credentials as the template's commands received them. */
    const commandCredentials = (file: string) => {
      const [accessKeyId, secretAccessKey, sessionToken] = readFileSync(file, 'utf8').split('\n');
      return new ProtonClient({
        endpoint: server.url,
        region: server.region,
        credentials: {
          accessKeyId: accessKeyId!,
          secretAccessKey: secretAccessKey!,
          sessionToken: sessionToken!,
        },
        maxAttempts: 1,
      });
    };

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'nucleon-failures-'));
      server = await startTestServer({
        dialect,
        // The commands signal through files outside their workspace, which the command sandbox forbids.
        env: {
          NUCLEON_STALL_WARNING_MS: '1000',
          NUCLEON_CREDENTIAL_PURGE_MS: '200',
          NUCLEON_RUNNER_SANDBOX: 'off',
        },
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
      rmSync(scratch, { recursive: true, force: true });
    });

    it("puts the failing command's last stderr lines in deploymentStatusMessage", async () => {
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'broken',
          templateName: 'diag',
          templateMajorVersion: '1',
          spec: envSpec({ mode: 'fail' }),
        }),
      );
      const env = await ended('broken');
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(
        /^command\[3\] of 5 \(.*\) failed with exit status 3; last stderr: warning: the frobnicator is old \| Error: the frobnicator exploded \(quota exceeded\)$/,
      );
      const deployment = (
        await proton.send(
          new GetDeploymentCommand({ id: created.environment!.lastAttemptedDeploymentId! }),
        )
      ).deployment!;
      expect(deployment.deploymentStatus).toBe('FAILED');
      expect(deployment.deploymentStatusMessage).toBe(env.deploymentStatusMessage);
    });

    it("shows a service instance's failure cause through GetServiceInstance", async () => {
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'picky',
        fixture: 'svc-codebuild-failing',
        compatible: [{ templateName: 'diag', majorVersion: '1' }],
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'home',
          templateName: 'diag',
          templateMajorVersion: '1',
          spec: envSpec({}),
        }),
      );
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'home' })).state).toBe(
        'SUCCESS',
      );
      await proton.send(
        new CreateServiceCommand({
          name: 'svc',
          templateName: 'picky',
          templateMajorVersion: '1',
          spec: 'proton: ServiceSpec\ninstances:\n  - name: good-1\n    environment: home\n    spec: {}\n',
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'svc' })).state).toBe('SUCCESS');
      await proton.send(
        new CreateServiceInstanceCommand({
          serviceName: 'svc',
          name: 'bad-1',
          spec: 'proton: ServiceSpec\ninstances:\n  - name: bad-1\n    environment: home\n    spec: {}\n',
        }),
      );
      const instance = await waitFor(
        async () => {
          const i = (
            await proton.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'bad-1' }))
          ).serviceInstance;
          return i?.deploymentStatus === 'FAILED' ? i : undefined;
        },
        { timeoutMs: 60_000, what: 'the instance to fail' },
      );
      expect(instance.deploymentStatusMessage).toMatch(
        /failed with exit status 1; last stderr: refusing to provision bad-1$/,
      );
    });

    it('warns about a command that stays silent, and clears the warning when output resumes', async () => {
      const release = join(scratch, 'release-stall');
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'slow',
          templateName: 'diag',
          templateMajorVersion: '1',
          spec: envSpec({ release_file: release }),
        }),
      );
      const id = created.environment!.lastAttemptedDeploymentId!;
      const stall = await waitFor(
        async () => {
          const d = (await proton.send(new GetDeploymentCommand({ id }))).deployment!;
          return d.deploymentStatusMessage?.includes('waiting for') ? d : undefined;
        },
        { timeoutMs: 30_000, what: 'the stall warning' },
      );
      expect(stall.deploymentStatus).toBe('IN_PROGRESS');
      expect(stall.deploymentStatusMessage).toMatch(
        new RegExp(
          `^No output for 1 second from the codebuild engine \\(its last line was "waiting for ${release}"\\)\\. It is still running and times out at \\S+; to stop it now: aws proton cancel-environment-deployment --environment-name slow$`,
        ),
      );
      expect((await environment('slow')).deploymentStatusMessage).toBe(
        stall.deploymentStatusMessage,
      );
      expect(
        (await details(id)).events.filter((e) => e.kind === 'status').map((e) => e.message),
      ).toContain(stall.deploymentStatusMessage);

      writeFileSync(release, '');
      const env = await ended('slow');
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      const messages = (await details(id)).events.map((e) => e.message);
      expect(messages.lastIndexOf('output resumed')).toBeGreaterThan(
        messages.indexOf(stall.deploymentStatusMessage!),
      );
      expect(messages).toContain('released');
    });

    it("revokes a deployment's scoped credentials when it ends", async () => {
      const credsFile = join(scratch, 'creds-ok');
      const release = join(scratch, 'release-creds');
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'keyed',
          templateName: 'diag',
          templateMajorVersion: '1',
          spec: envSpec({ creds_file: credsFile, release_file: release }),
        }),
      );
      await waitFor(async () => (existsSync(credsFile) ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the commands to start',
      });
      const asCommands = commandCredentials(credsFile);
      // While the deployment runs the credentials authenticate, but only for reporting on it.
      await expect(
        asCommands.send(new GetEnvironmentCommand({ name: 'keyed' })),
      ).rejects.toBeInstanceOf(AccessDeniedException);
      writeFileSync(release, '');
      expect((await ended('keyed')).deploymentStatus).toBe('SUCCEEDED');
      await expect(
        asCommands.send(new GetEnvironmentCommand({ name: 'keyed' })),
      ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    });

    it('purges expired scoped credentials and those of ended deployments', async () => {
      const { db } = server.nucleon.database;
      const env: Environment = await environment('keyed');
      const expired = await server.nucleon.keys.mintScoped(env.arn!, 1);
      const orphan = await server.nucleon.keys.mintScoped(
        env.arn!,
        3_600_000,
        env.lastAttemptedDeploymentId,
      );
      const live = await server.nucleon.keys.mintScoped(env.arn!, 3_600_000);
      const ids = [expired.accessKeyId, orphan.accessKeyId, live.accessKeyId];
      const left = await waitFor(
        async () => {
          const rows = await db
            .selectFrom('access_keys')
            .select('access_key_id')
            .where('access_key_id', 'in', ids)
            .execute();
          return rows.length === 1 ? rows.map((r) => r.access_key_id) : undefined;
        },
        { timeoutMs: 30_000, what: 'the purge' },
      );
      expect(left).toEqual([live.accessKeyId]);
    });
  });
