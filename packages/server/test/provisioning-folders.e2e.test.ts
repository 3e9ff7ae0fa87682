import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '@aws-sdk/client-proton';
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
import { findExecutable } from './engines/helpers.js';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

/**
 * Names over two engines that need no cloud (ADR 0010): the self-managed provisioning repository
 * keeps Proton's folders and refuses a second resource whose folder would be the same; Terraform
 * run on the runner keeps distinct state for resources whose legacy names collided.
 */

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
// Terraform is not part of the documented image, so its part may skip even under CI=true.
const terraform = findExecutable('terraform') ?? findExecutable('tofu');
if (!terraform)
  console.warn('skipping the terraform-cli state tests: no terraform or tofu on PATH');
const w = (client: P.ProtonClient) => ({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });
const spec = (env: string, ...instances: string[]) =>
  `proton: ServiceSpec\ninstances:\n${instances.map((i) => `  - name: ${i}\n    environment: ${env}\n    spec: {}\n`).join('')}`;

for (const dialect of testDialects()) {
  describe(`engine names without a cloud (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;
    let server: TestServer;
    let proton: P.ProtonClient;
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-folders-'));
    const remote = join(dir, 'infra.git');

    /** Plays the user's automation for one committed folder: reports success for its deployment. */
    const succeed = async (folder: string) => {
      const meta = await waitFor(
        async () => {
          try {
            return JSON.parse(
              git(['show', `main:${folder}/.proton/deployment-metadata.json`], remote),
            ) as {
              deploymentId: string;
              resourceMetadata?: { arn: string };
              componentMetadata?: { arn: string };
            };
          } catch {
            return undefined;
          }
        },
        { what: `a commit in ${folder}/`, timeoutMs: 120_000 },
      ).catch(async (error: unknown) => {
        const env = await proton.send(new P.GetEnvironmentCommand({ name: folder.split('/')[0]! }));
        throw new Error(`${String(error)}; environment: ${JSON.stringify(env.environment)}`);
      });
      await proton.send(
        new P.NotifyResourceDeploymentStatusChangeCommand({
          resourceArn: (meta.resourceMetadata ?? meta.componentMetadata)!.arn,
          deploymentId: meta.deploymentId,
          status: 'SUCCEEDED',
          outputs: [],
        }),
      );
    };

    beforeAll(async () => {
      if (!available) return;
      git(['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
      server = await startTestServer({ dialect });
      proton = sdkClient(server);
      await proton.send(
        new P.CreateRepositoryCommand({
          provider: 'GITHUB',
          name: 'acme/infra',
          connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc',
        }),
      );
      await nucleonClient(server).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
        provider: 'GITHUB',
        name: 'acme/infra',
        remoteUrl: remote,
      });
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'tf-env',
        fixture: 'env-terraform',
      });
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'tf-svc',
        fixture: 'svc-terraform',
        compatible: [{ templateName: 'tf-env', majorVersion: '1' }],
      });
    }, 600_000);
    afterAll(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(!available)(
      "keeps Proton's folders and refuses a second resource for the same folder, naming its owner",
      async () => {
        await proton.send(
          new P.CreateEnvironmentCommand({
            name: 'dev',
            templateName: 'tf-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec: {}\n',
            provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
            componentRoleArn: 'arn:aws:iam::123456789012:role/c',
          }),
        );
        await succeed('dev');
        await P.waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
        await proton.send(
          new P.CreateServiceCommand({
            name: 'a',
            templateName: 'tf-svc',
            templateMajorVersion: '1',
            spec: spec('dev', 'b-c'),
          }),
        );
        await succeed('dev/a-b-c');
        const owner =
          /The folder dev\/a-b-c\/ of the provisioning repository GITHUB:acme\/infra belongs to the service instance b-c of service a \(arn:aws:proton:[^)]+:service\/a\/service-instance\/b-c\)/;
        const created = await proton
          .send(
            new P.CreateServiceCommand({
              name: 'a-b',
              templateName: 'tf-svc',
              templateMajorVersion: '1',
              spec: spec('dev', 'c'),
            }),
          )
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(created).toBeInstanceOf(P.ConflictException);
        expect((created as Error).message).toMatch(owner);
        await proton.send(
          new P.CreateServiceCommand({
            name: 'a-b',
            templateName: 'tf-svc',
            templateMajorVersion: '1',
            spec: spec('dev', 'd'),
          }),
        );
        await succeed('dev/a-b-d');
        await P.waitUntilServiceCreated(w(proton), { name: 'a-b' });
        // Near misses are fine (concurrent commits: provisioning-push-race.e2e.test.ts).
        for (const name of ['x-a-b', 'a-b-2']) {
          await proton.send(
            new P.CreateServiceCommand({
              name,
              templateName: 'tf-svc',
              templateMajorVersion: '1',
              spec: spec('dev', 'c'),
            }),
          );
          await succeed(`dev/${name}-c`);
        }
        for (const attempt of [
          () =>
            proton.send(
              new P.CreateServiceInstanceCommand({
                serviceName: 'a-b',
                name: 'c',
                spec: spec('dev', 'd', 'c'),
              }),
            ),
          () =>
            proton.send(new P.UpdateServiceCommand({ name: 'a-b', spec: spec('dev', 'd', 'c') })),
        ]) {
          const error = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(P.ConflictException);
          expect((error as Error).message).toMatch(owner);
        }
        const manifest =
          'infrastructure:\n  templates:\n    - file: "main.tf"\n      rendering_engine: hcl\n      template_language: terraform\n';
        const component = await proton
          .send(
            new P.CreateComponentCommand({
              name: 'a-b-c',
              manifest,
              templateFile: 'resource "terraform_data" "x" {}\n',
              environmentName: 'dev',
            }),
          )
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(component).toBeInstanceOf(P.ConflictException);
        expect((component as Error).message).toMatch(owner);
        // Nothing of the refused resources exists, and the owner's folder holds only its own files.
        await expect(
          proton.send(new P.GetServiceInstanceCommand({ serviceName: 'a-b', name: 'c' })),
        ).rejects.toBeInstanceOf(P.ResourceNotFoundException);
        await expect(
          proton.send(new P.GetComponentCommand({ name: 'a-b-c' })),
        ).rejects.toBeInstanceOf(P.ResourceNotFoundException);
        const meta = JSON.parse(
          git(['show', 'main:dev/a-b-c/.proton/deployment-metadata.json'], remote),
        ) as { resourceMetadata: { arn: string } };
        expect(meta.resourceMetadata.arn).toMatch(/:service\/a\/service-instance\/b-c$/);
        // A component in its own folder is fine.
        await proton.send(
          new P.CreateComponentCommand({
            name: 'web',
            manifest,
            templateFile: 'resource "terraform_data" "x" {}\n',
            environmentName: 'dev',
          }),
        );
        await succeed('dev/web');
      },
    );

    it.skipIf(!available || !terraform)(
      'keeps distinct Terraform state on the runner for service a / instance b-c and service a-b / instance c',
      async () => {
        await proton.send(
          new P.CreateEnvironmentCommand({
            name: 'local',
            templateName: 'tf-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec: {}\n',
          }),
        );
        expect((await P.waitUntilEnvironmentDeployed(w(proton), { name: 'local' })).state).toBe(
          'SUCCESS',
        );
        await proton.send(
          new P.CreateServiceCommand({
            name: 's',
            templateName: 'tf-svc',
            templateMajorVersion: '1',
            spec: spec('local', 't-u'),
          }),
        );
        await proton.send(
          new P.CreateServiceCommand({
            name: 's-t',
            templateName: 'tf-svc',
            templateMajorVersion: '1',
            spec: spec('local', 'u'),
          }),
        );
        expect((await P.waitUntilServiceCreated(w(proton), { name: 's' })).state).toBe('SUCCESS');
        expect((await P.waitUntilServiceCreated(w(proton), { name: 's-t' })).state).toBe('SUCCESS');
        const owner = async (serviceName: string, serviceInstanceName: string) =>
          (
            await proton.send(
              new P.ListServiceInstanceOutputsCommand({ serviceName, serviceInstanceName }),
            )
          ).outputs?.find((o) => o.key === 'owner')?.valueString;
        expect(await owner('s', 't-u')).toBe('s/t-u');
        expect(await owner('s-t', 'u')).toBe('s-t/u');

        const rows = await server.nucleon.database.db
          .selectFrom('resources')
          .select(['service_name', 'engine_name'])
          .where('kind', '=', 'SERVICE_INSTANCE')
          .where('service_name', 'in', ['s', 's-t'])
          .orderBy('service_name')
          .execute();
        const [first, second] = rows.map((r) => r.engine_name!);
        expect(first).not.toBe(second);
        const state = (name: string) => {
          const file = join(server.dataDir, 'terraform-state', name, 'terraform.tfstate');
          if (!existsSync(file)) return [];
          const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
            resources: Array<{ instances: Array<{ attributes: { input?: { value?: unknown } } }> }>;
          };
          return parsed.resources.flatMap((r) => r.instances.map((i) => i.attributes.input?.value));
        };
        expect(state(first!)).toEqual(['s/t-u']);
        expect(state(second!)).toEqual(['s-t/u']);

        await proton.send(new P.DeleteServiceCommand({ name: 's' }));
        await P.waitUntilServiceDeleted(w(proton), { name: 's' });
        expect(state(first!)).toEqual([]);
        expect(state(second!)).toEqual(['s-t/u']);
        expect(readdirSync(join(server.dataDir, 'terraform-state'))).toEqual(
          expect.arrayContaining([first, second]),
        );
      },
    );
  });
}
