import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  GetDeploymentCommand,
  GetEnvironmentCommand,
  GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  GetServiceTemplateCommand,
  GetServiceTemplateVersionCommand,
  ListEnvironmentTemplatesCommand,
  ListServiceTemplatesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateEnvironmentTemplateCommand,
  GetAccountSettingsCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  type ProtonClient as SdkClient,
} from '@aws-sdk/client-proton';
import { ProtonClient } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X } from './access-fixtures.js';
import { publishFixture, sdkClient } from './helpers.js';

/**
 * Strict wire (NUCLEON_STRICT_WIRE=true, ADR 0024): the server checks every response against the
 * model before it serializes it, and answers 500 naming any member the model does not declare (or
 * a missing required member, or a wrong type) instead of dropping it. Representative operations
 * of each area run through the real server and the AWS SDK; each would fail here on a mismatch.
 */
describe('strict wire: representative outputs match the model exactly (pglite)', () => {
  let server: TestServer;
  let proton: SdkClient;
  let nucleon: ProtonClient;
  const waiter = () => ({ client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite', env: { NUCLEON_STRICT_WIRE: 'true' } });
    proton = sdkClient(server);
    nucleon = new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: server.credentials,
    });
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'env',
      fixture: 'env-codebuild',
    });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'web',
      fixture: 'svc-codebuild',
      compatible: [{ templateName: 'env', majorVersion: '1' }],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the catalog: templates, versions, tags, account settings', async () => {
    const t = await proton.send(new GetEnvironmentTemplateCommand({ name: 'env' }));
    expect(t.environmentTemplate?.recommendedVersion).toBe('1.0');
    await proton.send(new UpdateEnvironmentTemplateCommand({ name: 'env', description: 'strict' }));
    expect(
      (await proton.send(new GetServiceTemplateCommand({ name: 'web' }))).serviceTemplate?.name,
    ).toBe('web');
    const v = await proton.send(
      new GetEnvironmentTemplateVersionCommand({
        templateName: 'env',
        majorVersion: '1',
        minorVersion: '0',
      }),
    );
    expect(v.environmentTemplateVersion?.status).toBe('PUBLISHED');
    const sv = await proton.send(
      new GetServiceTemplateVersionCommand({
        templateName: 'web',
        majorVersion: '1',
        minorVersion: '0',
      }),
    );
    expect(sv.serviceTemplateVersion?.compatibleEnvironmentTemplates).toHaveLength(1);
    expect((await proton.send(new ListEnvironmentTemplatesCommand({}))).templates).toHaveLength(1);
    expect((await proton.send(new ListServiceTemplatesCommand({}))).templates).toHaveLength(1);
    const arn = t.environmentTemplate!.arn!;
    await proton.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'team', value: 'a' }] }),
    );
    expect((await proton.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'team', value: 'a' },
    ]);
    await proton.send(new GetAccountSettingsCommand({}));
  });

  it('deployments: an environment, a service and its instance, a deployment', async () => {
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'dev',
        templateName: 'env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  greeting: hi\n',
      }),
    );
    await waitUntilEnvironmentDeployed(waiter(), { name: 'dev' });
    const env = (await proton.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
    expect(env.deploymentStatus).toBe('SUCCEEDED');
    const deployment = await proton.send(
      new GetDeploymentCommand({ id: env.lastSucceededDeploymentId!, environmentName: 'dev' }),
    );
    expect(deployment.deployment?.targetResourceType).toBe('ENVIRONMENT');
    await proton.send(
      new CreateServiceCommand({
        name: 'shop',
        templateName: 'web',
        templateMajorVersion: '1',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: one\n    environment: dev\n    spec:\n      port: 8080\n',
      }),
    );
    await waitUntilServiceCreated(waiter(), { name: 'shop' });
    expect((await proton.send(new GetServiceCommand({ name: 'shop' }))).service?.status).toBe(
      'ACTIVE',
    );
    const instance = await proton.send(
      new GetServiceInstanceCommand({ serviceName: 'shop', name: 'one' }),
    );
    expect(instance.serviceInstance?.environmentName).toBe('dev');
  });

  it("Nucleon's extension operations: users, keys, caller access, the audit log", async () => {
    await nucleon.send(X('CreateUser'), { userName: 'strict', role: 'developer' });
    const key = (await nucleon.send(X('CreateAccessKey'), { userName: 'strict' })) as {
      accessKey: { accessKeyId: string };
    };
    expect(await nucleon.send(X('ListUsers'), {})).toMatchObject({
      users: [{ userName: 'strict' }],
    });
    expect(await nucleon.send(X('ListAccessKeys'), {})).toHaveProperty('accessKeys');
    expect(await nucleon.send(X('GetCallerAccess'), {})).toMatchObject({ role: 'admin' });
    expect(await nucleon.send(X('ListAuditEvents'), {})).toHaveProperty('events');
    await nucleon.send(X('DeleteAccessKey'), { accessKeyId: key.accessKey.accessKeyId });
    await nucleon.send(X('DeleteUser'), { userName: 'strict' });
  });
});
