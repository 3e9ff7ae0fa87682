import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

/**
 * Self-managed Terraform: several deployments publishing into one provisioning repository at
 * once (a service with three instances) all land, each commit holding only its own folder. The
 * publisher fetches and re-applies its folder when another push got in first.
 */

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const w = (client: P.ProtonClient) => ({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });

for (const dialect of testDialects()) {
  describe(`concurrent commits to one provisioning repository (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;
    let server: TestServer;
    let proton: P.ProtonClient;
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-push-race-'));
    const remote = join(dir, 'infra.git');

    /** The user's automation: reports success for the deployment committed in `folder`. */
    const succeed = async (folder: string) => {
      const meta = await waitFor(
        () => {
          try {
            return Promise.resolve(
              JSON.parse(
                git(['show', `main:${folder}/.proton/deployment-metadata.json`], remote),
              ) as { deploymentId: string; resourceMetadata: { arn: string } },
            );
          } catch {
            return Promise.resolve(undefined);
          }
        },
        { what: `a commit in ${folder}/`, timeoutMs: 120_000 },
      );
      await proton.send(
        new P.NotifyResourceDeploymentStatusChangeCommand({
          resourceArn: meta.resourceMetadata.arn,
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
      'three instances deployed at once each commit only their own folder, and all succeed',
      async () => {
        await proton.send(
          new P.CreateEnvironmentCommand({
            name: 'dev',
            templateName: 'tf-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec: {}\n',
            provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
          }),
        );
        await succeed('dev');
        await P.waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
        const instances = ['i1', 'i2', 'i3'];
        await proton.send(
          new P.CreateServiceCommand({
            name: 'web',
            templateName: 'tf-svc',
            templateMajorVersion: '1',
            spec: `proton: ServiceSpec\ninstances:\n${instances.map((i) => `  - name: ${i}\n    environment: dev\n    spec: {}\n`).join('')}`,
          }),
        );
        await Promise.all(instances.map((i) => succeed(`dev/web-${i}`)));
        expect((await P.waitUntilServiceCreated(w(proton), { name: 'web' })).state).toBe('SUCCESS');

        for (const i of instances) {
          const got = await proton.send(
            new P.GetServiceInstanceCommand({ serviceName: 'web', name: i }),
          );
          expect(got.serviceInstance?.deploymentStatus).toBe('SUCCEEDED');
          const commits = git(['log', '--format=%H', 'main', '--', `dev/web-${i}`], remote)
            .trim()
            .split('\n');
          expect(commits).toHaveLength(1);
          const files = git(['show', '--name-only', '--format=', commits[0]!], remote)
            .trim()
            .split('\n');
          expect(files.length).toBeGreaterThan(0);
          for (const f of files) expect(f.startsWith(`dev/web-${i}/`), f).toBe(true);
        }
      },
      300_000,
    );
  });
}
