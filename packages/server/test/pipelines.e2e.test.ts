import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  GetServiceCommand,
  ListServicePipelineOutputsCommand,
  UpdateServiceCommand,
  UpdateServicePipelineCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  waitUntilServicePipelineDeployed,
  waitUntilServiceUpdated,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const spec = (names: string[], stage?: string) =>
  `proton: ServiceSpec\n${stage ? `pipeline:\n  stage: ${stage}\n` : ''}instances:\n${names.map((n, i) => `  - name: ${n}\n    environment: dev\n    spec:\n      port: ${9000 + i}\n`).join('')}`;
const outputs = async (proton: ProtonClient) =>
  Object.fromEntries(
    (
      (await proton.send(new ListServicePipelineOutputsCommand({ serviceName: 'api' }))).outputs ??
      []
    ).map((o) => [o.key!, o.valueString] as const),
  );

describe('service pipelines', () => {
  let server: TestServer;
  let proton: ProtonClient;

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'env',
      fixture: 'env-codebuild',
    });
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'dev',
        templateName: 'env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'piped',
      fixture: 'svc-codebuild-pipe',
      pipeline: true,
      compatible: [{ templateName: 'env', majorVersion: '1' }],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('needs the code repository fields when the template has a pipeline', async () => {
    await expect(
      proton.send(
        new CreateServiceCommand({
          name: 'norepo',
          templateName: 'piped',
          templateMajorVersion: '1',
          spec: spec(['a']),
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('provisions the pipeline over all instances with the service repository fields', async () => {
    await proton.send(
      new CreateServiceCommand({
        name: 'api',
        templateName: 'piped',
        templateMajorVersion: '1',
        spec: spec(['a', 'b']),
        repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/x',
        repositoryId: 'acme/api',
        branchName: 'main',
      }),
    );
    expect((await waitUntilServiceCreated(w(proton), { name: 'api' })).state).toBe('SUCCESS');
    const out = await outputs(proton);
    expect(out).toMatchObject({ Stage: 'build', Repo: 'acme/api' });
    expect(out.Instances?.split(',').map((x: string) => x.split('=')[0])).toEqual(['a', 'b']);
  });

  it('re-renders the pipeline after UpdateService adds and removes instances', async () => {
    await proton.send(new UpdateServiceCommand({ name: 'api', spec: spec(['a', 'c']) }));
    expect((await waitUntilServiceUpdated(w(proton), { name: 'api' })).state).toBe('SUCCESS');
    const svc = (await proton.send(new GetServiceCommand({ name: 'api' }))).service!;
    expect(svc.status).toBe('ACTIVE');
    expect(
      (await outputs(proton)).Instances?.split(',').map((x: string) => x.split('=')[0]),
    ).toEqual(['a', 'c']);
  });

  it('updates the pipeline with its own inputs', async () => {
    await proton.send(
      new UpdateServicePipelineCommand({
        serviceName: 'api',
        deploymentType: 'CURRENT_VERSION',
        spec: spec(['a', 'c'], 'deploy'),
      }),
    );
    expect(
      (await waitUntilServicePipelineDeployed({ ...w(proton), minDelay: 1 }, { name: 'api' }))
        .state,
    ).toBe('SUCCESS');
    expect((await outputs(proton)).Stage).toBe('deploy');
  });

  it('deletes the service with its pipeline', async () => {
    await proton.send(new DeleteServiceCommand({ name: 'api' }));
    expect((await waitUntilServiceDeleted(w(proton), { name: 'api' })).state).toBe('SUCCESS');
  });
});
