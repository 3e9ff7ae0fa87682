import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  ListEnvironmentOutputsCommand,
  ListEnvironmentProvisionedResourcesCommand,
  ListServiceInstanceOutputsCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { nucleonClient, publishFixture, sdkClient, tarFixture } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function motoMissing(): string | undefined {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'moto_server (Python moto) is not installed';
  }
}

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

describe('the CloudFormation engine against moto_server', () => {
  const available = requireOrSkip(motoMissing());
  let moto: ChildProcess;
  let server: TestServer;
  let proton: ProtonClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!available) return;
    const port = await freePort();
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/`).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The engine uses the AWS SDK's standard chains, as in production.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_S3_FORCE_PATH_STYLE: 'true' },
    });
    proton = sdkClient(server);
    await publishFixture(server, { kind: 'ENVIRONMENT', template: 'cfn-env', fixture: 'env-cfn' });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'cfn-svc',
      fixture: 'svc-cfn-nopipe',
      compatible: [{ templateName: 'cfn-env', majorVersion: '1' }],
    });
  });
  afterAll(async () => {
    await server?.stop();
    moto?.kill();
    process.env = saved;
  });

  it.skipIf(!available)(
    'deploys an environment stack and records its outputs and resources',
    async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'net',
          templateName: 'cfn-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n',
        }),
      );
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'net' })).state).toBe(
        'SUCCESS',
      );
      const outputs =
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'net' })))
          .outputs ?? [];
      expect(outputs.find((o) => o.key === 'VpcId')?.valueString).toMatch(/^vpc-/);
      const resources =
        (
          await proton.send(
            new ListEnvironmentProvisionedResourcesCommand({ environmentName: 'net' }),
          )
        ).provisionedResources ?? [];
      expect(resources.length).toBeGreaterThan(0);
    },
  );

  it.skipIf(!available)('passes environment outputs into the service template', async () => {
    const spec =
      'proton: ServiceSpec\ninstances:\n  - name: q1\n    environment: net\n    spec:\n      port: 81\n';
    await proton.send(
      new CreateServiceCommand({
        name: 'queues',
        templateName: 'cfn-svc',
        templateMajorVersion: '1',
        spec,
      }),
    );
    expect((await waitUntilServiceCreated(w(proton), { name: 'queues' })).state).toBe('SUCCESS');
    const outputs = Object.fromEntries(
      (
        (
          await proton.send(
            new ListServiceInstanceOutputsCommand({
              serviceName: 'queues',
              serviceInstanceName: 'q1',
            }),
          )
        ).outputs ?? []
      ).map((o) => [o.key!, o.valueString] as const),
    );
    expect(outputs.VpcFromEnv).toMatch(/^vpc-/);
    expect(outputs.QueueUrl).toContain('queues-q1');
    expect((await proton.send(new GetServiceCommand({ name: 'queues' }))).service?.status).toBe(
      'ACTIVE',
    );
  });

  it.skipIf(!available)(
    'deploys a directly defined component attached to an instance, whose outputs the instance template reads',
    async () => {
      const c = await import('@aws-sdk/client-proton');
      const manifest =
        'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
      const templateFile =
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: '{{ component.name }}-{% if service_instance is defined %}{{ service_instance.name }}{% else %}detached{% endif %}'\nOutputs:\n  BucketName:\n    Value: !Ref Bucket\n";
      const create = () =>
        proton.send(
          new c.CreateComponentCommand({
            name: 'extra',
            manifest,
            templateFile,
            serviceName: 'queues',
            serviceInstanceName: 'q1',
          }),
        );
      await expect(create()).rejects.toThrow(/DIRECTLY_DEFINED/);
      await proton.send(
        new UpdateServiceTemplateVersionCommand({
          templateName: 'cfn-svc',
          majorVersion: '1',
          minorVersion: '0',
          supportedComponentSources: ['DIRECTLY_DEFINED'],
        }),
      );
      await expect(create()).rejects.toThrow(/componentRoleArn/);
      await proton.send(
        new c.UpdateEnvironmentCommand({
          name: 'net',
          deploymentType: 'NONE',
          componentRoleArn: 'arn:aws:iam::123456789012:role/components',
        }),
      );
      await create();
      await c.waitUntilComponentDeployed(w(proton), { name: 'extra' });
      const outputs =
        (await proton.send(new c.ListComponentOutputsCommand({ componentName: 'extra' })))
          .outputs ?? [];
      expect(outputs).toEqual([{ key: 'BucketName', valueString: 'extra-q1' }]);
      const redeployed = await proton.send(
        new c.UpdateServiceInstanceCommand({
          serviceName: 'queues',
          name: 'q1',
          deploymentType: 'CURRENT_VERSION',
        }),
      );
      await c.waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'queues', name: 'q1' });
      // moto_server 5.2.1 does not refresh stack Outputs on ExecuteChangeSet, so the rendered template is checked.
      const details = (await nucleonClient(server).send(
        `${extensionTargetPrefix}.GetDeploymentDetails`,
        { id: redeployed.serviceInstance!.lastAttemptedDeploymentId },
      )) as { renderedFiles: Array<{ content: string }> };
      expect(details.renderedFiles[0]!.content).toContain("Value: 'extra-q1'");
      expect(
        (await proton.send(new c.ListDeploymentsCommand({ componentName: 'extra' })))
          .deployments?.[0]?.targetResourceType,
      ).toBe('COMPONENT');
      await expect(
        proton.send(new c.DeleteComponentCommand({ name: 'extra' })),
      ).rejects.toBeInstanceOf(c.ConflictException);
      await proton.send(
        new c.UpdateComponentCommand({
          name: 'extra',
          deploymentType: 'CURRENT_VERSION',
          serviceName: '',
          serviceInstanceName: '',
        }),
      );
      await c.waitUntilComponentDeployed(w(proton), { name: 'extra' });
      expect(
        (await proton.send(new c.GetComponentCommand({ name: 'extra' }))).component,
      ).toMatchObject({ environmentName: 'net', deploymentStatus: 'SUCCEEDED' });
      await proton.send(new c.DeleteComponentCommand({ name: 'extra' }));
      expect((await c.waitUntilComponentDeleted(w(proton), { name: 'extra' })).state).toBe(
        'SUCCESS',
      );
    },
  );

  it.skipIf(!available)(
    'registers a version from a bundle in real S3 (here moto) through the SDK chain',
    async () => {
      const { S3Client, CreateBucketCommand, PutObjectCommand } =
        await import('@aws-sdk/client-s3');
      const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'team-bundles' }));
      await s3.send(
        new PutObjectCommand({
          Bucket: 'team-bundles',
          Key: 'env/v1.tar.gz',
          Body: tarFixture('env-cfn'),
        }),
      );
      const c = await import('@aws-sdk/client-proton');
      await proton.send(new c.CreateEnvironmentTemplateCommand({ name: 'from-s3' }));
      await proton.send(
        new c.CreateEnvironmentTemplateVersionCommand({
          templateName: 'from-s3',
          source: { s3: { bucket: 'team-bundles', key: 'env/v1.tar.gz' } },
        }),
      );
      expect(
        (
          await c.waitUntilEnvironmentTemplateVersionRegistered(w(proton), {
            templateName: 'from-s3',
            majorVersion: '1',
            minorVersion: '0',
          })
        ).state,
      ).toBe('SUCCESS');
      await proton.send(
        new c.CreateEnvironmentTemplateVersionCommand({
          templateName: 'from-s3',
          source: { s3: { bucket: 'team-bundles', key: 'missing.tar.gz' } },
        }),
      );
      await expect(
        c.waitUntilEnvironmentTemplateVersionRegistered(w(proton), {
          templateName: 'from-s3',
          majorVersion: '2',
          minorVersion: '0',
        }),
      ).rejects.toThrow(/NoSuchKey|not in Nucleon/);
    },
  );

  it.skipIf(!available)(
    "assumes an environment's codebuildRoleArn through STS and accepts those credentials for the commands' Proton calls",
    async () => {
      const { ListEnvironmentOutputsCommand: Outputs } = await import('@aws-sdk/client-proton');
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'cb-role',
        fixture: 'env-codebuild',
      });
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'with-role',
          templateName: 'cb-role',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
          codebuildRoleArn: 'arn:aws:iam::123456789012:role/codebuild',
        }),
      );
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'with-role' })).state).toBe(
        'SUCCESS',
      );
      const outputs = Object.fromEntries(
        ((await proton.send(new Outputs({ environmentName: 'with-role' }))).outputs ?? []).map(
          (o) => [o.key!, o.valueString] as const,
        ),
      );
      expect(outputs.NotifiedBy).toBe('aws-cli');
      const details = (await nucleonClient(server).send(
        `${extensionTargetPrefix}.GetDeploymentDetails`,
        { id: created.environment!.lastAttemptedDeploymentId },
      )) as { events: Array<{ message: string }> };
      expect(details.events.map((e) => e.message)).toContain(
        'assumed arn:aws:iam::123456789012:role/codebuild for the commands',
      );
    },
  );

  it.skipIf(!available)(
    "fails with CloudFormation's reason when the template is rejected",
    async () => {
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'broken-env',
        fixture: 'env-cfn-rejected',
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'broken',
          templateName: 'broken-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.2.0.0/16\n',
        }),
      );
      await expect(waitUntilEnvironmentDeployed(w(proton), { name: 'broken' })).rejects.toThrow();
      const env = (await proton.send(new GetEnvironmentCommand({ name: 'broken' }))).environment!;
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(/Parameter|ValidationError|Missing/i);
    },
  );

  it.skipIf(!available)(
    "puts CloudFormation's failure reason in the deployment's status message",
    async () => {
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'fifo-env',
        fixture: 'env-cfn-fifo',
      });
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'fifo',
          templateName: 'fifo-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      );
      await expect(waitUntilEnvironmentDeployed(w(proton), { name: 'fifo' })).rejects.toThrow();
      const deployment = (
        await proton.send(
          new GetDeploymentCommand({ id: created.environment!.lastAttemptedDeploymentId! }),
        )
      ).deployment!;
      expect(deployment.deploymentStatus).toBe('FAILED');
      expect(deployment.deploymentStatusMessage).toMatch(
        /Queue name must end in \.fifo for FIFO queues/,
      );
    },
  );
});
