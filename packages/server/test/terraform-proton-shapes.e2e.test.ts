import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateComponentCommand,
  CreateEnvironmentCommand,
  CreateRepositoryCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  GetServiceInstanceCommand,
  NotifyResourceDeploymentStatusChangeCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilServiceTemplateVersionRegistered,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, pushFixture, sdkClient } from './helpers.js';

const git = (args: string[], cwd?: string) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** The header Proton wrote at the top of its Terraform files (spec §5.3), for one resource. */
const managedHeader = (arn: string) =>
  new RegExp(
    `^/\\*\\nThis file is managed by [^\\n]*\\. Any changes made directly to this file will be overwritten[^\\n]*\\n\\nTo manage this resource, see [^\\n]*Resource: ${arn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n\\n[^\\n]*\\n\\*/\\n\\nvariable `,
  );

/**
 * The files Nucleon commits for self-managed Terraform, compared with the shapes of the files
 * Proton wrote (spec §5.3, §9.7): a header naming the resource's ARN, and `proton_tags` whose
 * service, service-instance and component entries hold ARNs.
 */
describe('self-managed Terraform files in the shapes Proton wrote', () => {
  let server: TestServer;
  let proton: ProtonClient;
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-tf-shapes-'));
  const remote = join(dir, 'infra.git');
  const show = (path: string) => git(['show', `main:${path}`], remote);
  const committed = async (path: string) =>
    waitFor(
      () =>
        Promise.resolve(
          git(['ls-remote', remote, 'refs/heads/main']).trim() &&
            git(['ls-tree', '-r', '--name-only', 'main'], remote).split('\n').includes(path)
            ? true
            : undefined,
        ),
      { what: `${path} in the provisioning repository` },
    );
  /** Plays the user's automation: reads the committed metadata and reports success. */
  const succeed = async (folder: string) => {
    const meta = JSON.parse(show(`${folder}/.proton/deployment-metadata.json`)) as {
      deploymentId: string;
      resourceMetadata?: { arn: string };
      componentMetadata?: { arn: string };
    };
    await proton.send(
      new NotifyResourceDeploymentStatusChangeCommand({
        resourceArn: (meta.resourceMetadata ?? meta.componentMetadata)!.arn,
        deploymentId: meta.deploymentId,
        status: 'SUCCEEDED',
        outputs: [],
      }),
    );
  };

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
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'tf-env',
      fixture: 'env-terraform',
    });
    await proton.send(
      new CreateServiceTemplateCommand({
        name: 'tf-svc',
        pipelineProvisioning: 'CUSTOMER_MANAGED',
      }),
    );
    await proton.send(
      new CreateServiceTemplateVersionCommand({
        templateName: 'tf-svc',
        source: { s3: await pushFixture(server, 'svc-terraform') },
        compatibleEnvironmentTemplates: [{ templateName: 'tf-env', majorVersion: '1' }],
        supportedComponentSources: ['DIRECTLY_DEFINED'],
      }),
    );
    const ref = { templateName: 'tf-svc', majorVersion: '1', minorVersion: '0' };
    await waitUntilServiceTemplateVersionRegistered(
      { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      ref,
    );
    await proton.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('heads the environment variables file with the environment ARN, and tags it with ARNs', async () => {
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'shapes',
        templateName: 'tf-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  cidr: 10.1.0.0/16\n',
        componentRoleArn: 'arn:aws:iam::123456789012:role/components',
        provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
      }),
    );
    await committed('shapes/proton.environment.variables.tf');
    const env = (await proton.send(new GetEnvironmentCommand({ name: 'shapes' }))).environment!;
    expect(show('shapes/proton.environment.variables.tf')).toMatch(managedHeader(env.arn!));
    const tfvars = JSON.parse(show('shapes/proton.auto.tfvars.json')) as Record<string, unknown>;
    expect(tfvars['//']).toBe(env.arn);
    expect(tfvars.proton_tags).toEqual({
      'proton:account': '123456789012',
      'proton:template': 'arn:aws:proton:us-east-1:123456789012:environment-template/tf-env',
      'proton:environment': env.arn,
    });
    const meta = JSON.parse(show('shapes/.proton/deployment-metadata.json')) as {
      resourceMetadata: Record<string, string>;
    };
    expect(meta.resourceMetadata).toMatchObject({
      arn: env.arn,
      templateArn: 'arn:aws:proton:us-east-1:123456789012:environment-template/tf-env',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
    });
    await succeed('shapes');
  });

  it("puts the service's ARN in proton:service and adds proton:service-instance", async () => {
    await waitFor(
      async () =>
        (await proton.send(new GetEnvironmentCommand({ name: 'shapes' }))).environment
          ?.deploymentStatus === 'SUCCEEDED' || undefined,
      { what: 'the environment to deploy' },
    );
    await proton.send(
      new CreateServiceCommand({
        name: 'api',
        templateName: 'tf-svc',
        templateMajorVersion: '1',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: one\n    environment: shapes\n    spec: {}\n',
      }),
    );
    const folder = 'shapes/api-one';
    await committed(`${folder}/proton.service_instance.variables.tf`);
    const instanceArn = 'arn:aws:proton:us-east-1:123456789012:service/api/service-instance/one';
    expect(show(`${folder}/proton.service_instance.variables.tf`)).toMatch(
      managedHeader(instanceArn),
    );
    const tfvars = JSON.parse(show(`${folder}/proton.auto.tfvars.json`)) as Record<string, unknown>;
    expect(tfvars['//']).toBe(instanceArn);
    expect(tfvars.proton_tags).toEqual({
      'proton:account': '123456789012',
      'proton:template': 'arn:aws:proton:us-east-1:123456789012:service-template/tf-svc',
      'proton:environment': 'arn:aws:proton:us-east-1:123456789012:environment/shapes',
      'proton:service': 'arn:aws:proton:us-east-1:123456789012:service/api',
      'proton:service-instance': instanceArn,
    });
    await succeed(folder);
  });

  it('adds proton:component, with the service and instance it is attached to', async () => {
    await waitFor(
      async () =>
        (await proton.send(new GetServiceInstanceCommand({ serviceName: 'api', name: 'one' })))
          .serviceInstance?.deploymentStatus === 'SUCCEEDED' || undefined,
      { what: 'the instance to deploy' },
    );
    await proton.send(
      new CreateComponentCommand({
        name: 'extra',
        serviceName: 'api',
        serviceInstanceName: 'one',
        manifest:
          'infrastructure:\n  templates:\n    - file: "main.tf"\n      rendering_engine: hcl\n      template_language: terraform\n',
        templateFile: 'resource "terraform_data" "x" {\n  input = var.component.name\n}\n',
      }),
    );
    await waitFor(
      () =>
        Promise.resolve(
          git(['ls-tree', '-r', '--name-only', 'main'], remote)
            .split('\n')
            .find((p) => p.endsWith('proton.component.variables.tf')),
        ),
      { what: 'the component files' },
    );
    const path = git(['ls-tree', '-r', '--name-only', 'main'], remote)
      .split('\n')
      .find((p) => p.endsWith('proton.component.variables.tf'))!;
    const folder = path.slice(0, path.lastIndexOf('/'));
    const componentArn = 'arn:aws:proton:us-east-1:123456789012:component/extra';
    expect(show(path)).toMatch(managedHeader(componentArn));
    const tfvars = JSON.parse(show(`${folder}/proton.auto.tfvars.json`)) as Record<string, unknown>;
    expect(tfvars['//']).toBe(componentArn);
    expect(tfvars.proton_tags).toEqual({
      'proton:account': '123456789012',
      'proton:environment': 'arn:aws:proton:us-east-1:123456789012:environment/shapes',
      'proton:service': 'arn:aws:proton:us-east-1:123456789012:service/api',
      'proton:service-instance':
        'arn:aws:proton:us-east-1:123456789012:service/api/service-instance/one',
      'proton:component': componentArn,
    });
  });
});
