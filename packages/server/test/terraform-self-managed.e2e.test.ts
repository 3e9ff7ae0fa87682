import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateRepositoryCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  NotifyResourceDeploymentStatusChangeCommand,
  ResourceNotFoundException,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, pushFixture, sdkClient } from './helpers.js';

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
const hasTerraform = (() => {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Plays the user's automation (what a GitHub Actions workflow did for Proton): reads the
 * deployment metadata Nucleon committed, applies or destroys with terraform when it is installed
 * (otherwise it reports fixed outputs), and notifies Nucleon.
 */
async function automation(
  proton: ProtonClient,
  remote: string,
  folder: string,
): Promise<{ deploymentId: string; deleted: boolean }> {
  const work = mkdtempSync(join(tmpdir(), 'nucleon-automation-'));
  try {
    git(['clone', '--quiet', '--branch', 'main', remote, work]);
    const dir = join(work, folder);
    const meta = JSON.parse(
      readFileSync(join(dir, '.proton/deployment-metadata.json'), 'utf8'),
    ) as { deploymentId: string; isResourceDeleted: boolean; resourceMetadata: { arn: string } };
    let outputs: Array<{ key: string; valueString: string }> = [
      { key: 'cidr', valueString: 'terraform-not-installed' },
    ];
    if (hasTerraform && !meta.isResourceDeleted) {
      execFileSync('terraform', ['init', '-input=false', '-no-color'], {
        cwd: dir,
        stdio: 'ignore',
      });
      execFileSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], {
        cwd: dir,
        stdio: 'ignore',
      });
      const out = JSON.parse(
        execFileSync('terraform', ['output', '-json'], { cwd: dir, encoding: 'utf8' }),
      ) as Record<string, { value: unknown }>;
      outputs = Object.entries(out).map(([key, v]) => ({ key, valueString: String(v.value) }));
    }
    await proton.send(
      new NotifyResourceDeploymentStatusChangeCommand({
        resourceArn: meta.resourceMetadata.arn,
        deploymentId: meta.deploymentId,
        status: 'SUCCEEDED',
        outputs: meta.isResourceDeleted ? [] : outputs,
      }),
    );
    return { deploymentId: meta.deploymentId, deleted: meta.isResourceDeleted };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('self-managed Terraform through a linked git repository', () => {
  let server: TestServer;
  let proton: ProtonClient;
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-tf-repo-'));
  const remote = join(dir, 'infra.git');

  beforeAll(async () => {
    git(['init', '--quiet', '--bare', remote]);
    server = await startTestServer({ dialect: 'pglite' });
    proton = sdkClient(server);
    await proton.send(
      new CreateRepositoryCommand({
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
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'tf-env' }));
    await proton.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'tf-env',
        source: { s3: await pushFixture(server, 'env-terraform') },
      }),
    );
    await waitUntilEnvironmentTemplateVersionRegistered(
      { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { templateName: 'tf-env', majorVersion: '1', minorVersion: '0' },
    );
    await proton.send(
      new UpdateEnvironmentTemplateVersionCommand({
        templateName: 'tf-env',
        majorVersion: '1',
        minorVersion: '0',
        status: 'PUBLISHED',
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the rendered and generated files, waits for the automation, and records its outputs', async () => {
    const created = await proton.send(
      new CreateEnvironmentCommand({
        name: 'tfdev',
        templateName: 'tf-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  cidr: 10.9.0.0/16\n',
        provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
      }),
    );
    await waitFor(
      () =>
        Promise.resolve(git(['ls-remote', remote, 'refs/heads/main']).trim() ? true : undefined),
      { what: 'the commit' },
    );
    const env = (await proton.send(new GetEnvironmentCommand({ name: 'tfdev' }))).environment!;
    expect(env.deploymentStatus).toBe('IN_PROGRESS');
    const files = git(['ls-tree', '-r', '--name-only', 'main'], remote).trim().split('\n');
    expect(files.sort()).toEqual([
      'tfdev/.proton/deployment-metadata.json',
      'tfdev/main.tf',
      'tfdev/proton.auto.tfvars.json',
      'tfdev/proton.environment.variables.tf',
    ]);
    const tfvars = JSON.parse(
      git(['show', 'main:tfdev/proton.auto.tfvars.json'], remote),
    ) as Record<string, unknown>;
    expect(tfvars).toMatchObject({
      environment: { name: 'tfdev', inputs: { cidr: '10.9.0.0/16' } },
      '//': env.arn,
    });

    const ran = await automation(proton, remote, 'tfdev');
    expect(ran.deploymentId).toBe(created.environment!.lastAttemptedDeploymentId);
    await waitUntilEnvironmentDeployed(
      { client: proton, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { name: 'tfdev' },
    );
    const outputs = Object.fromEntries(
      (
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'tfdev' })))
          .outputs ?? []
      ).map((o) => [o.key!, o.valueString] as const),
    );
    expect(outputs.cidr).toBe(hasTerraform ? '10.9.0.0/16' : 'terraform-not-installed');
  });

  it('keeps account settings: pipeline roles and a linked pipeline repository', async () => {
    const { GetAccountSettingsCommand, UpdateAccountSettingsCommand, ValidationException } =
      await import('@aws-sdk/client-proton');
    await proton.send(
      new UpdateAccountSettingsCommand({
        pipelineServiceRoleArn: 'arn:aws:iam::123456789012:role/pipeline',
        pipelineProvisioningRepository: {
          provider: 'GITHUB',
          name: 'acme/infra',
          branch: 'pipelines',
        },
      }),
    );
    const got = (await proton.send(new GetAccountSettingsCommand({}))).accountSettings;
    expect(got).toMatchObject({
      pipelineServiceRoleArn: 'arn:aws:iam::123456789012:role/pipeline',
      pipelineProvisioningRepository: {
        name: 'acme/infra',
        branch: 'pipelines',
        provider: 'GITHUB',
      },
    });
    await proton.send(
      new UpdateAccountSettingsCommand({
        pipelineServiceRoleArn: '',
        deletePipelineProvisioningRepository: true,
      }),
    );
    expect((await proton.send(new GetAccountSettingsCommand({}))).accountSettings).toEqual({});
    await expect(
      proton.send(
        new UpdateAccountSettingsCommand({
          pipelineProvisioningRepository: { provider: 'GITHUB', name: 'nope/nope', branch: 'x' },
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('deletes through the repository too: isResourceDeleted, then the notify removes the environment', async () => {
    await proton.send(new DeleteEnvironmentCommand({ name: 'tfdev' }));
    await waitFor(
      () =>
        Promise.resolve(
          git(['log', '--format=%s', '-1', 'main'], remote).includes('delete') ? true : undefined,
        ),
      { what: 'the delete commit' },
    );
    const ran = await automation(proton, remote, 'tfdev');
    expect(ran.deleted).toBe(true);
    await waitFor(
      async () =>
        proton.send(new GetEnvironmentCommand({ name: 'tfdev' })).then(
          () => undefined,
          (e: unknown) => (e instanceof ResourceNotFoundException ? true : undefined),
        ),
      { what: 'the environment to go' },
    );
    expect(existsSync(remote)).toBe(true);
  });
});

describe('Terraform run directly on the runner (no provisioning repository)', () => {
  let server: TestServer;
  let proton: ProtonClient;
  beforeAll(async () => {
    if (!hasTerraform) return;
    server = await startTestServer({ dialect: 'pglite' });
    proton = sdkClient(server);
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'tf-direct' }));
    await proton.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'tf-direct',
        source: { s3: await pushFixture(server, 'env-terraform') },
      }),
    );
    await waitUntilEnvironmentTemplateVersionRegistered(
      { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { templateName: 'tf-direct', majorVersion: '1', minorVersion: '0' },
    );
    await proton.send(
      new UpdateEnvironmentTemplateVersionCommand({
        templateName: 'tf-direct',
        majorVersion: '1',
        minorVersion: '0',
        status: 'PUBLISHED',
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  // terraform is not part of the documented image; where it is missing this path cannot run.
  it.skipIf(!hasTerraform)('applies, keeps state per resource, and destroys', async () => {
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'direct',
        templateName: 'tf-direct',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  cidr: 10.7.0.0/16\n',
      }),
    );
    expect(
      (
        await waitUntilEnvironmentDeployed(
          { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
          { name: 'direct' },
        )
      ).state,
    ).toBe('SUCCESS');
    const outputs = Object.fromEntries(
      (
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'direct' })))
          .outputs ?? []
      ).map((o) => [o.key!, o.valueString] as const),
    );
    expect(outputs).toEqual({ cidr: '10.7.0.0/16', env_name: 'direct' });
    // State lives under the resource's stored engine name (ADR 0010).
    const { engine_name: stateName } = await server.nucleon.database.db
      .selectFrom('resources')
      .select('engine_name')
      .where('kind', '=', 'ENVIRONMENT')
      .where('name', '=', 'direct')
      .executeTakeFirstOrThrow();
    expect(stateName).toMatch(/^nucleon-[0-9a-f]{8}-env-direct-[0-9a-f]{12}$/);
    expect(
      existsSync(join(server.dataDir, 'terraform-state', stateName!, 'terraform.tfstate')),
    ).toBe(true);
    await proton.send(new DeleteEnvironmentCommand({ name: 'direct' }));
    await waitFor(
      async () =>
        proton.send(new GetEnvironmentCommand({ name: 'direct' })).then(
          () => undefined,
          (e: unknown) => (e instanceof ResourceNotFoundException ? true : undefined),
        ),
      { what: 'the environment to go', timeoutMs: 60_000 },
    );
  });
});
