import {
  CancelServiceInstanceDeploymentCommand,
  ConflictException,
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentCommand,
  DeleteServiceCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  GetResourcesSummaryCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListDeploymentsCommand,
  ListEnvironmentOutputsCommand,
  ListServiceInstanceOutputsCommand,
  ListServiceInstancesCommand,
  ResourceNotFoundException,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  waitUntilServiceInstanceDeployed,
  waitUntilServiceTemplateVersionRegistered,
  type ProtonClient,
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
import { nucleonClient, pushFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const outputsMap = (list: Array<{ key?: string; valueString?: string }> | undefined) =>
  Object.fromEntries((list ?? []).map((o) => [o.key!, o.valueString] as const));

const serviceSpec = (port: number, sleep = 0) => `proton: ServiceSpec
instances:
  - name: web-a
    environment: dev
    spec:
      port: ${port}
      sleep_seconds: ${sleep}
  - name: web-b
    environment: dev
    spec:
      port: ${port + 1}
`;

for (const dialect of testDialects())
  describe(`environments, services and deployments with the CodeBuild engine on the local runner (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;

    beforeAll(async () => {
      server = await startTestServer({ dialect, env: { NUCLEON_CFN_POLL_MS: '100' } });
      proton = sdkClient(server);
      await proton.send(new CreateEnvironmentTemplateCommand({ name: 'cb-env' }));
      await proton.send(
        new CreateEnvironmentTemplateVersionCommand({
          templateName: 'cb-env',
          source: { s3: await pushFixture(server, 'env-codebuild') },
        }),
      );
      await waitUntilEnvironmentTemplateVersionRegistered(w(proton), {
        templateName: 'cb-env',
        majorVersion: '1',
        minorVersion: '0',
      });
      await proton.send(
        new UpdateEnvironmentTemplateVersionCommand({
          templateName: 'cb-env',
          majorVersion: '1',
          minorVersion: '0',
          status: 'PUBLISHED',
        }),
      );
      await proton.send(
        new CreateServiceTemplateCommand({
          name: 'cb-svc',
          pipelineProvisioning: 'CUSTOMER_MANAGED',
        }),
      );
      for (const major of [undefined, '1']) {
        await proton.send(
          new CreateServiceTemplateVersionCommand({
            templateName: 'cb-svc',
            ...(major ? { majorVersion: major } : {}),
            source: { s3: await pushFixture(server, 'svc-codebuild') },
            compatibleEnvironmentTemplates: [{ templateName: 'cb-env', majorVersion: '1' }],
          }),
        );
      }
      await waitUntilServiceTemplateVersionRegistered(w(proton), {
        templateName: 'cb-svc',
        majorVersion: '1',
        minorVersion: '1',
      });
      await proton.send(
        new UpdateServiceTemplateVersionCommand({
          templateName: 'cb-svc',
          majorVersion: '1',
          minorVersion: '0',
          status: 'PUBLISHED',
        }),
      );
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('provisions an environment whose commands report outputs by file and through the AWS CLI', async () => {
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'dev',
          templateName: 'cb-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: bonjour\n',
        }),
      );
      expect(created.environment).toMatchObject({
        deploymentStatus: 'IN_PROGRESS',
        templateMinorVersion: '0',
      });
      const done = await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
      expect(done.state).toBe('SUCCESS');
      const outputs = outputsMap(
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'dev' }))).outputs,
      );
      expect(outputs).toEqual({
        ClusterName: 'cluster-dev',
        Greeting: 'bonjour',
        NotifiedBy: 'aws-cli',
      });
    });

    it('refuses a spec that does not match the schema, naming the input', async () => {
      const error = await proton
        .send(
          new CreateEnvironmentCommand({
            name: 'bad',
            templateName: 'cb-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec:\n  greeting: 42\n',
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toMatch(/spec\.greeting must be string/);
    });

    it('creates a service with two instances that see the environment outputs', async () => {
      await proton.send(
        new CreateServiceCommand({
          name: 'web',
          templateName: 'cb-svc',
          templateMajorVersion: '1',
          spec: serviceSpec(8080),
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'web' })).state).toBe('SUCCESS');
      const svc = await proton.send(new GetServiceCommand({ name: 'web' }));
      expect(svc.service?.status).toBe('ACTIVE');
      const outputs = outputsMap(
        (
          await proton.send(
            new ListServiceInstanceOutputsCommand({
              serviceName: 'web',
              serviceInstanceName: 'web-b',
            }),
          )
        ).outputs,
      );
      expect(outputs).toEqual({
        Url: 'http://localhost:8081',
        Cluster: 'cluster-dev',
        Message: 'hi',
      });
      const list = await proton.send(new ListServiceInstancesCommand({ serviceName: 'web' }));
      expect(list.serviceInstances?.map((i) => i.name)).toEqual(['web-a', 'web-b']);
    });

    it('updates an instance with new inputs, keeping current values where asked', async () => {
      const spec =
        'proton: ServiceSpec\ninstances:\n  - name: web-a\n    environment: dev\n    spec:\n      port: 9090\n      message: "${Proton::CURRENT_VAL}"\n';
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'web',
          name: 'web-a',
          deploymentType: 'CURRENT_VERSION',
          spec,
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'web', name: 'web-a' });
      const outputs = outputsMap(
        (
          await proton.send(
            new ListServiceInstanceOutputsCommand({
              serviceName: 'web',
              serviceInstanceName: 'web-a',
            }),
          )
        ).outputs,
      );
      expect(outputs.Url).toBe('http://localhost:9090');
      expect(outputs.Message).toBe('hi');
    });

    it('moves an instance to a newly published minor version', async () => {
      await proton.send(
        new UpdateServiceTemplateVersionCommand({
          templateName: 'cb-svc',
          majorVersion: '1',
          minorVersion: '1',
          status: 'PUBLISHED',
        }),
      );
      const summary = await proton.send(new GetResourcesSummaryCommand({}));
      expect(summary.counts?.serviceInstances).toMatchObject({ total: 2, behindMinor: 2 });
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'web',
          name: 'web-b',
          deploymentType: 'MINOR_VERSION',
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'web', name: 'web-b' });
      const inst = await proton.send(
        new GetServiceInstanceCommand({ serviceName: 'web', name: 'web-b' }),
      );
      expect(inst.serviceInstance).toMatchObject({
        templateMajorVersion: '1',
        templateMinorVersion: '1',
        deploymentStatus: 'SUCCEEDED',
      });
    });

    it('lets exactly one of two simultaneous updates through', async () => {
      const update = () =>
        proton.send(
          new UpdateServiceInstanceCommand({
            serviceName: 'web',
            name: 'web-b',
            deploymentType: 'CURRENT_VERSION',
          }),
        );
      const results = await Promise.allSettled([update(), update()]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictException);
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'web', name: 'web-b' });
    });

    it('cancels a running deployment, killing its commands', async () => {
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'web',
          name: 'web-a',
          deploymentType: 'CURRENT_VERSION',
          spec: serviceSpec(7070, 60),
        }),
      );
      await new Promise((r) => setTimeout(r, 1500));
      const cancelled = await proton.send(
        new CancelServiceInstanceDeploymentCommand({
          serviceName: 'web',
          serviceInstanceName: 'web-a',
        }),
      );
      expect(['CANCELLING', 'CANCELLED']).toContain(cancelled.serviceInstance?.deploymentStatus);
      const inst = await waitFor(
        async () => {
          const i = (
            await proton.send(new GetServiceInstanceCommand({ serviceName: 'web', name: 'web-a' }))
          ).serviceInstance;
          return i?.deploymentStatus === 'CANCELLED' ? i : undefined;
        },
        { timeoutMs: 20_000, what: 'the cancellation' },
      );
      expect(inst.deploymentStatusMessage).toBe('User initiated cancellation.');
      expect(inst.templateMinorVersion).toBe('0');
    });

    it('keeps deployment history with the log and the rendered files', async () => {
      const list = await proton.send(
        new ListDeploymentsCommand({ serviceName: 'web', serviceInstanceName: 'web-a' }),
      );
      expect(list.deployments?.map((d) => d.deploymentStatus)).toEqual([
        'CANCELLED',
        'SUCCEEDED',
        'SUCCEEDED',
      ]);
      const id = list.deployments![1]!.id!;
      const got = await proton.send(new GetDeploymentCommand({ id }));
      expect(got.deployment?.targetState?.serviceInstance?.templateName).toBe('cb-svc');
      const details = (await nucleonClient(server).send(
        `${extensionTargetPrefix}.GetDeploymentDetails`,
        { id },
      )) as {
        events: Array<{ kind: string; message: string }>;
        renderedFiles: Array<{ path: string; content: string }>;
      };
      expect(details.events.map((e) => e.message)).toContain('instance web-a ready');
      const inputs = JSON.parse(
        details.renderedFiles.find((f) => f.path === 'proton-inputs.json')!.content,
      ) as { service_instance: unknown };
      expect(inputs.service_instance).toEqual({
        name: 'web-a',
        inputs: { port: 9090, sleep_seconds: 0, message: 'hi' },
      });
    });

    it('fails a deployment whose command fails, with the failing command in the message', async () => {
      const { UpdateEnvironmentCommand } = await import('@aws-sdk/client-proton');
      await proton.send(
        new UpdateEnvironmentCommand({
          name: 'dev',
          deploymentType: 'CURRENT_VERSION',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: bonjour\n  fail: true\n',
        }),
      );
      await expect(waitUntilEnvironmentDeployed(w(proton), { name: 'dev' })).rejects.toThrow();
      const env = (await proton.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(/command\[2\] of 4/);
    });

    it('deletes the service and then the environment', async () => {
      await expect(
        proton.send(new DeleteEnvironmentCommand({ name: 'dev' })),
      ).rejects.toBeInstanceOf(ConflictException);
      await proton.send(new DeleteServiceCommand({ name: 'web' }));
      expect((await waitUntilServiceDeleted(w(proton), { name: 'web' })).state).toBe('SUCCESS');
      await proton.send(new DeleteEnvironmentCommand({ name: 'dev' }));
      await waitFor(
        async () =>
          await proton.send(new GetEnvironmentCommand({ name: 'dev' })).then(
            () => undefined,
            (e: unknown) => (e instanceof ResourceNotFoundException ? true : undefined),
          ),
        {
          what: 'the environment to be deleted',
        },
      );
    });
  });
