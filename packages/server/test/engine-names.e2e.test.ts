import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormation, type Stack } from '@aws-sdk/client-cloudformation';
import * as P from '@aws-sdk/client-proton';
import { engineResourceName, silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig, type Nucleon } from '@nucleon/server';
import {
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/adapters/db/database.js';
import { migrations } from '../src/adapters/db/migrations/index.js';
import { findExecutable, startMotoServer, type MotoServer } from './engines/helpers.js';
import { publishFixture, sdkClient } from './helpers.js';

/**
 * Names Nucleon chooses for stacks (ADR 0010), against moto_server through the real server and
 * the AWS SDK's Proton client: resources whose legacy names collided get distinct stacks, each
 * tagged with its owner; a stack Nucleon does not own is never updated or deleted; provisioned
 * resources list the stack; a resource migrated from before 0003 keeps its legacy stack.
 */

const available = requireOrSkip(
  findExecutable('moto_server') ? undefined : 'moto_server (Python moto) is not installed',
);
const w = (client: P.ProtonClient) => ({ client, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });
const ENV_SPEC = 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n';
const serviceSpec = (instance: string, env = 'names') =>
  `proton: ServiceSpec\ninstances:\n  - name: ${instance}\n    environment: ${env}\n    spec: {}\n`;

describe.skipIf(!available)('engine names against moto_server', () => {
  let moto: MotoServer;
  let server: TestServer;
  let proton: P.ProtonClient;
  let cfn: CloudFormation;
  const saved = { ...process.env };

  const stackOf = async (name: string): Promise<Stack | undefined> =>
    cfn.describeStacks({ StackName: name }).then(
      (r) => r.Stacks?.[0],
      () => undefined,
    );
  const tagsOf = (stack: Stack | undefined) =>
    Object.fromEntries((stack?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''] as const));
  const installationId = async (db: Nucleon['database']['db']) =>
    String(
      (
        await db
          .selectFrom('settings')
          .select('value')
          .where('key', '=', 'installation_id')
          .executeTakeFirstOrThrow()
      ).value,
    );
  const instanceStack = async (serviceName: string, serviceInstanceName: string) =>
    (
      await proton.send(
        new P.ListServiceInstanceProvisionedResourcesCommand({ serviceName, serviceInstanceName }),
      )
    ).provisionedResources ?? [];

  beforeAll(async () => {
    moto = await startMotoServer(findExecutable('moto_server')!);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    cfn = new CloudFormation({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_S3_FORCE_PATH_STYLE: 'true' },
    });
    proton = sdkClient(server);
    await publishFixture(server, { kind: 'ENVIRONMENT', template: 'cfn-env', fixture: 'env-cfn' });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'names-svc',
      fixture: 'svc-cfn-names',
      compatible: [{ templateName: 'cfn-env', majorVersion: '1' }],
    });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'names-pipe',
      fixture: 'svc-cfn-names-pipe',
      compatible: [{ templateName: 'cfn-env', majorVersion: '1' }],
      pipeline: true,
    });
    await proton.send(
      new P.CreateEnvironmentCommand({
        name: 'names',
        templateName: 'cfn-env',
        templateMajorVersion: '1',
        spec: ENV_SPEC,
      }),
    );
    expect((await P.waitUntilEnvironmentDeployed(w(proton), { name: 'names' })).state).toBe(
      'SUCCESS',
    );
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    await moto?.stop();
    process.env = saved;
  });

  it('lists the environment stack itself, by name and ARN, tagged with its owner', async () => {
    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'names' }))).environment!;
    const listed =
      (
        await proton.send(
          new P.ListEnvironmentProvisionedResourcesCommand({ environmentName: 'names' }),
        )
      ).provisionedResources ?? [];
    expect(listed).toHaveLength(1);
    expect(listed[0]!.name).toBe(
      engineResourceName(await installationId(server.nucleon.database.db), {
        kind: 'ENVIRONMENT',
        arn: env.arn!,
        serviceName: '',
        name: 'names',
        environmentName: null,
      }),
    );
    expect(listed[0]!.provisioningEngine).toBe('CLOUDFORMATION');
    const stack = await stackOf(listed[0]!.name!);
    expect(listed[0]!.identifier).toBe(stack?.StackId);
    expect(tagsOf(stack)).toMatchObject({
      'nucleon:installation-id': await installationId(server.nucleon.database.db),
      'nucleon:resource-arn': env.arn,
    });
  });

  it('gives service a / instance b-c and service a-b / instance c distinct stacks; deleting one leaves the other intact', async () => {
    await proton.send(
      new P.CreateServiceCommand({
        name: 'a',
        templateName: 'names-svc',
        templateMajorVersion: '1',
        spec: serviceSpec('b-c'),
      }),
    );
    await proton.send(
      new P.CreateServiceCommand({
        name: 'a-b',
        templateName: 'names-svc',
        templateMajorVersion: '1',
        spec: serviceSpec('c'),
      }),
    );
    expect((await P.waitUntilServiceCreated(w(proton), { name: 'a' })).state).toBe('SUCCESS');
    expect((await P.waitUntilServiceCreated(w(proton), { name: 'a-b' })).state).toBe('SUCCESS');
    const [first] = await instanceStack('a', 'b-c');
    const [second] = await instanceStack('a-b', 'c');
    expect(first!.name).not.toBe(second!.name);
    expect(tagsOf(await stackOf(first!.name!))['nucleon:resource-arn']).toMatch(
      /:service\/a\/service-instance\/b-c$/,
    );
    expect(tagsOf(await stackOf(second!.name!))['nucleon:resource-arn']).toMatch(
      /:service\/a-b\/service-instance\/c$/,
    );
    const outputs = Object.fromEntries(
      (
        (
          await proton.send(
            new P.ListServiceInstanceOutputsCommand({
              serviceName: 'a-b',
              serviceInstanceName: 'c',
            }),
          )
        ).outputs ?? []
      ).map((o) => [o.key ?? '', o.valueString ?? ''] as const),
    );
    expect(outputs.Owner).toBe('a-b/c');

    await proton.send(new P.DeleteServiceCommand({ name: 'a' }));
    expect((await P.waitUntilServiceDeleted(w(proton), { name: 'a' })).state).toBe('SUCCESS');
    expect((await stackOf(first!.identifier!))?.StackStatus).toBe('DELETE_COMPLETE');
    expect((await stackOf(second!.identifier!))?.StackStatus).toBe('CREATE_COMPLETE');
    expect(
      (await proton.send(new P.GetServiceInstanceCommand({ serviceName: 'a-b', name: 'c' })))
        .serviceInstance?.deploymentStatus,
    ).toBe('SUCCEEDED');
  });

  it('gives an instance named pipeline and its service pipeline distinct stacks', async () => {
    await proton.send(
      new P.CreateServiceCommand({
        name: 'p',
        templateName: 'names-pipe',
        templateMajorVersion: '1',
        spec: `${serviceSpec('pipeline')}pipeline: {}\n`,
        repositoryId: 'acme/app',
        branchName: 'main',
        repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/x',
      }),
    );
    expect((await P.waitUntilServiceCreated(w(proton), { name: 'p' })).state).toBe('SUCCESS');
    await P.waitUntilServicePipelineDeployed(w(proton), { name: 'p' });
    const [instance] = await instanceStack('p', 'pipeline');
    const [pipeline] =
      (
        await proton.send(
          new P.ListServicePipelineProvisionedResourcesCommand({ serviceName: 'p' }),
        )
      ).provisionedResources ?? [];
    expect(instance!.name).not.toBe(pipeline!.name);
    expect(tagsOf(await stackOf(pipeline!.name!))['nucleon:resource-arn']).toMatch(
      /:service\/p\/pipeline$/,
    );
    expect((await stackOf(instance!.name!))?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('gives a component of the same name in another environment its own stack', async () => {
    const manifest =
      'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
    const templateFile = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
    await proton.send(
      new P.CreateEnvironmentCommand({
        name: 'names2',
        templateName: 'cfn-env',
        templateMajorVersion: '1',
        spec: ENV_SPEC,
        componentRoleArn: 'arn:aws:iam::123456789012:role/c',
      }),
    );
    await P.waitUntilEnvironmentDeployed(w(proton), { name: 'names2' });
    await proton.send(
      new P.UpdateEnvironmentCommand({
        name: 'names',
        deploymentType: 'NONE',
        componentRoleArn: 'arn:aws:iam::123456789012:role/c',
      }),
    );
    await proton.send(
      new P.CreateComponentCommand({
        name: 'web',
        manifest,
        templateFile,
        environmentName: 'names',
      }),
    );
    await P.waitUntilComponentDeployed(w(proton), { name: 'web' });
    const [inFirst] =
      (await proton.send(new P.ListComponentProvisionedResourcesCommand({ componentName: 'web' })))
        .provisionedResources ?? [];
    // Component names are unique per installation: the second `web` exists once the first is gone.
    await proton.send(new P.DeleteComponentCommand({ name: 'web' }));
    await P.waitUntilComponentDeleted(w(proton), { name: 'web' });
    await proton.send(
      new P.CreateComponentCommand({
        name: 'web',
        manifest,
        templateFile,
        environmentName: 'names2',
      }),
    );
    await P.waitUntilComponentDeployed(w(proton), { name: 'web' });
    const [inSecond] =
      (await proton.send(new P.ListComponentProvisionedResourcesCommand({ componentName: 'web' })))
        .provisionedResources ?? [];
    expect(inSecond!.name).not.toBe(inFirst!.name);
    expect(inSecond!.name).toContain('-component-names2-web-');
    // GetResourcesSummary counts components (only total and failed: they have no template).
    const { counts } = await proton.send(new P.GetResourcesSummaryCommand({}));
    expect(counts!.components).toEqual({ total: 1, failed: 0 });
  });

  it('never updates or deletes a stack without its ownership tags, or tagged for another installation', async () => {
    const db = server.nucleon.database.db;
    const id = await installationId(db);
    const arnOf = (name: string) => `arn:aws:proton:us-east-1:123456789012:environment/${name}`;
    const body = 'Resources:\n  Handmade:\n    Type: AWS::SQS::Queue\n';
    const untaggedName = engineResourceName(id, {
      kind: 'ENVIRONMENT',
      arn: arnOf('squatted'),
      serviceName: '',
      name: 'squatted',
      environmentName: null,
    });
    const foreignName = engineResourceName(id, {
      kind: 'ENVIRONMENT',
      arn: arnOf('elsewhere'),
      serviceName: '',
      name: 'elsewhere',
      environmentName: null,
    });
    await cfn.createStack({ StackName: untaggedName, TemplateBody: body });
    await cfn.createStack({
      StackName: foreignName,
      TemplateBody: body,
      Tags: [
        { Key: 'nucleon:installation-id', Value: 'otherinstallation' },
        { Key: 'nucleon:resource-arn', Value: arnOf('elsewhere') },
      ],
    });
    const before = await Promise.all([stackOf(untaggedName), stackOf(foreignName)]);

    for (const [name, reason] of [
      [
        'squatted',
        /refusing to update stack nucleon-\S+: it is not this resource's stack \(it has no Nucleon ownership tags/,
      ],
      [
        'elsewhere',
        /refusing to update stack nucleon-\S+: it is not this resource's stack \(it belongs to another Nucleon installation/,
      ],
    ] as const) {
      await proton.send(
        new P.CreateEnvironmentCommand({
          name,
          templateName: 'cfn-env',
          templateMajorVersion: '1',
          spec: ENV_SPEC,
        }),
      );
      await expect(P.waitUntilEnvironmentDeployed(w(proton), { name })).rejects.toThrow();
      const env = (await proton.send(new P.GetEnvironmentCommand({ name }))).environment!;
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(reason);
      await proton.send(new P.DeleteEnvironmentCommand({ name }));
      const deleting = await waitFor(
        async () => {
          const e = (await proton.send(new P.GetEnvironmentCommand({ name }))).environment!;
          return e.deploymentStatus === 'DELETE_IN_PROGRESS' ? undefined : e;
        },
        { timeoutMs: 60_000 },
      );
      expect(deleting.deploymentStatus).toBe('DELETE_FAILED');
      expect(deleting.deploymentStatusMessage).toMatch(
        /refusing to delete stack .*Nothing was changed/,
      );
    }
    const after = await Promise.all([stackOf(untaggedName), stackOf(foreignName)]);
    expect(after.map((s) => [s?.StackStatus, s?.LastUpdatedTime, s?.Tags])).toEqual(
      before.map((s) => [s?.StackStatus, s?.LastUpdatedTime, s?.Tags]),
    );
    expect(after.map((s) => s?.StackStatus)).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
  });
});

describe.skipIf(!available)('a resource migrated from before engine names', () => {
  const saved = { ...process.env };
  let moto: MotoServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-legacy-'));
  const start = async () => {
    const nucleon = await createNucleon(
      loadConfig({
        NUCLEON_PORT: '0',
        NUCLEON_DATA_DIR: dataDir,
        NUCLEON_ACCOUNT_ID: '123456789012',
        NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
        NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
        NUCLEON_STRICT_WIRE: 'true',
        NUCLEON_CFN_POLL_MS: '100',
        NUCLEON_S3_FORCE_PATH_STYLE: 'true',
      }),
      { logger: silentLogger },
    );
    const { url } = await nucleon.start();
    return {
      nucleon,
      server: {
        url,
        region: 'us-east-1',
        credentials: TEST_ROOT_KEY,
        nucleon,
        dataDir,
        dialect: 'pglite' as const,
        stop: () => nucleon.stop(),
      },
    };
  };

  beforeAll(async () => {
    moto = await startMotoServer(findExecutable('moto_server')!);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(async () => {
    await moto?.stop();
    process.env = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps its legacy stack name, adopts the untagged stack, and deletes it', async () => {
    const cfn = new CloudFormation({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    // An installation at schema 0002 with an environment whose stack an earlier Nucleon made, untagged.
    const first = await start();
    const proton = sdkClient(first.server);
    await publishFixture(first.server, {
      kind: 'ENVIRONMENT',
      template: 'cfn-env',
      fixture: 'env-cfn',
    });
    await proton.send(
      new P.CreateEnvironmentCommand({
        name: 'old_env',
        templateName: 'cfn-env',
        templateMajorVersion: '1',
        spec: ENV_SPEC,
      }),
    );
    await P.waitUntilEnvironmentDeployed(w(proton), { name: 'old_env' });
    const [made] =
      (
        await proton.send(
          new P.ListEnvironmentProvisionedResourcesCommand({ environmentName: 'old_env' }),
        )
      ).provisionedResources ?? [];
    await first.nucleon.stop();
    const handle = await openDatabase({ dataDir });
    const migrator = new Migrator({
      db: handle.db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      migrationTableName: 'nucleon_migrations',
      migrationLockTableName: 'nucleon_migrations_lock',
    });
    expect((await migrator.migrateTo('0002-deployments')).error).toBeUndefined();
    await handle.close();
    await cfn.deleteStack({ StackName: made!.name });
    const template = (await cfn.getTemplate({ StackName: made!.identifier })).TemplateBody;
    await cfn.createStack({ StackName: 'nucleon-env-old-env', TemplateBody: template });

    // Upgrade: migration 0003 stores the legacy name; the stack keeps serving the environment.
    const second = await start();
    try {
      const upgraded = sdkClient(second.server);
      await upgraded.send(
        new P.UpdateEnvironmentCommand({
          name: 'old_env',
          deploymentType: 'CURRENT_VERSION',
          spec: ENV_SPEC,
        }),
      );
      expect((await P.waitUntilEnvironmentDeployed(w(upgraded), { name: 'old_env' })).state).toBe(
        'SUCCESS',
      );
      const [listed] =
        (
          await upgraded.send(
            new P.ListEnvironmentProvisionedResourcesCommand({ environmentName: 'old_env' }),
          )
        ).provisionedResources ?? [];
      expect(listed!.name).toBe('nucleon-env-old-env');
      const row = await second.nucleon.database.db
        .selectFrom('resources')
        .select('engine_name')
        .where('name', '=', 'old_env')
        .executeTakeFirstOrThrow();
      expect(row.engine_name).toBe('nucleon-env-old-env');
      await upgraded.send(new P.DeleteEnvironmentCommand({ name: 'old_env' }));
      await waitFor(
        () =>
          upgraded.send(new P.GetEnvironmentCommand({ name: 'old_env' })).then(
            () => undefined,
            (e: unknown) => (e instanceof P.ResourceNotFoundException ? true : undefined),
          ),
        { what: 'the environment to go', timeoutMs: 90_000 },
      );
      expect(
        (await cfn.describeStacks({ StackName: listed!.identifier })).Stacks?.[0]?.StackStatus,
      ).toBe('DELETE_COMPLETE');
    } finally {
      await second.nucleon.stop();
    }
  }, 600_000);
});
