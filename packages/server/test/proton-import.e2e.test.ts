import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CloudFormation } from '@aws-sdk/client-cloudformation';
import { STS } from '@aws-sdk/client-sts';
import * as P from '@aws-sdk/client-proton';
import { extensionTargetPrefix, type DiscoverProtonResourcesOutput } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { findExecutable, startMotoServer, type MotoServer } from './engines/helpers.js';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';
import {
  COMPONENT_ROLE,
  COMPONENT_TEMPLATE,
  FARGATE,
  FARGATE_SPECS,
  PROTON,
  REPOSITORY,
  SERVICE_ROLE,
  createFargateEstate,
  createProtonStack as createStack,
  eventsOf as stackEvents,
  jinja,
  outputsOf as stackOutputs,
  publishFargateTemplates,
  type ProtonStacks,
} from './proton-import-fixtures.js';

/**
 * `nucleon import proton` (ADR 0021, 0028) end to end: stacks as AWS Proton left them in
 * moto_server (templates rendered from a bundle by Python's Jinja2, Proton's tags and roles) — a
 * small environment with a queue service, and a Fargate estate modelled on AWS's public sample
 * templates (public VPC environment, a load-balanced-style Fargate service with two instances,
 * its CodePipeline pipeline and a directly defined component) — the built CLI runs discover →
 * match → adopt against a running Nucleon, and the AWS SDK's Proton client and the AWS CLI see
 * the adopted resources with the stacks' outputs. The import sends nothing mutating to
 * CloudFormation (same stack ids, same stack events); a stack whose template does not match is
 * reported DIFFERENT and not adopted; a second run changes nothing; the next
 * UpdateServiceInstance updates the very stack Proton made.
 */

const available = requireOrSkip(
  findExecutable('moto_server')
    ? findExecutable('aws')
      ? undefined
      : 'the AWS CLI (aws) is not installed'
    : 'moto_server (Python moto) is not installed',
);
const run = promisify(execFile);
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
const cli = fileURLToPath(new URL('../../cli/bin/nucleon.js', import.meta.url));
const cliBuilt = existsSync(fileURLToPath(new URL('../../cli/dist/index.js', import.meta.url)));
const fixtures = fileURLToPath(new URL('./fixtures/bundles/', import.meta.url));
const w = (client: P.ProtonClient) => ({ client, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });
const asOutputs = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([key, valueString]) => ({ key, valueString }))
    .sort((a, b) => a.key.localeCompare(b.key));
const sorted = (list: ReadonlyArray<{ key?: unknown }>) =>
  [...list].sort((a, b) => String(a.key).localeCompare(String(b.key)));

describe.skipIf(!available)('nucleon import proton against moto_server', () => {
  let moto: MotoServer;
  let server: TestServer;
  let proton: P.ProtonClient;
  let cfn: CloudFormation;
  let work: string;
  const saved = { ...process.env };
  const stacks: ProtonStacks = {};

  // Asynchronous: the Nucleon the CLI talks to runs in this process.
  const nucleon = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [cli, 'import', 'proton', ...args, '--endpoint-url', server.url, '--profile', 'nucleon'],
        { env: process.env },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const eventsOf = (name: string) => stackEvents(cfn, name);
  const createProtonStack = (
    name: string,
    body: string,
    tags: Record<string, string>,
    roleArn?: string,
  ) => createStack(cfn, stacks, name, body, tags, roleArn);
  /** The AWS CLI's `aws proton <args>` against Nucleon, parsed. */
  const awsProton = async (args: string[]) => {
    const r = await run(
      'aws',
      [
        'proton',
        ...args,
        '--endpoint-url',
        server.url,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        },
      },
    );
    return JSON.parse(r.stdout) as Record<string, Array<Record<string, unknown>>>;
  };
  const outputsOf = (stack: string) => stackOutputs(cfn, stack);
  const outputOf = async (stack: string, key: string) =>
    (await cfn.describeStacks({ StackName: stack })).Stacks![0]!.Outputs!.find(
      (o) => o.OutputKey === key,
    )!.OutputValue!;

  beforeAll(async () => {
    if (!cliBuilt) throw new Error('the CLI is not built: run `npm run build` first');
    moto = await startMotoServer(findExecutable('moto_server')!);
    work = mkdtempSync(join(tmpdir(), 'nucleon-proton-import-'));
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_S3_FORCE_PATH_STYLE: 'true' },
    });
    // The CLI reaches AWS through the SDK's chain (environment) and Nucleon with a profile.
    writeFileSync(
      join(work, 'credentials'),
      `[nucleon]\naws_access_key_id = ${server.credentials.accessKeyId}\naws_secret_access_key = ${server.credentials.secretAccessKey}\n`,
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'credentials'),
    });
    cfn = new CloudFormation({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    proton = sdkClient(server);
    // The templates the user registers first (environment templates before the service
    // templates that name them as compatible).
    await Promise.all([
      publishFixture(server, { kind: 'ENVIRONMENT', template: 'proton-env', fixture: 'env-cfn' }),
      publishFargateTemplates(server),
    ]);
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'proton-svc',
      fixture: 'svc-cfn-adopt',
      compatible: [{ templateName: 'proton-env', majorVersion: '1' }],
    });

    // What Proton left: environment beta, service api with two instances in it; and gamma,
    // whose stack was changed by hand after Proton deployed it (its spec no longer matches).
    const envTemplate = 'env-cfn/infrastructure/cloudformation.yaml';
    await createProtonStack(
      'AWSProton-beta-cloudformation-ABC123',
      jinja(envTemplate, { environment: { name: 'beta', inputs: { vpc_cidr: '10.5.0.0/16' } } }),
      {
        'proton:account': '111122223333',
        'proton:template': `${PROTON}:environment-template/proton-env:1.0`,
        'proton:environment': `${PROTON}:environment/beta`,
      },
    );
    await createProtonStack(
      'AWSProton-gamma-cloudformation-DEF456',
      jinja(envTemplate, { environment: { name: 'gamma', inputs: { vpc_cidr: '10.9.0.0/16' } } }),
      {
        'proton:template': `${PROTON}:environment-template/proton-env`,
        'proton:environment': `${PROTON}:environment/gamma`,
      },
    );
    const vpc = await outputOf('AWSProton-beta-cloudformation-ABC123', 'VpcId');
    for (const [instance, delay] of [
      ['one', 7],
      ['two', 0],
    ] as const) {
      await createProtonStack(
        `AWSProton-api-${instance}-cloudformation-XYZ`,
        jinja('svc-cfn-adopt/instance_infrastructure/cloudformation.yaml', {
          service: { name: 'api' },
          service_instance: { name: instance, inputs: { delay } },
          environment: { name: 'beta', outputs: { VpcId: vpc } },
        }),
        {
          'proton:template': `${PROTON}:service-template/proton-svc`,
          'proton:environment': `${PROTON}:environment/beta`,
          'proton:service': `${PROTON}:service/api`,
          'proton:service-instance': `${PROTON}:service/api/service-instance/${instance}`,
        },
      );
    }

    // The Fargate estate: environment prod (its VPC range is a stack parameter), service
    // frontend with instances one and two, its pipeline, and component frontend-cache attached
    // to frontend/one. Proton deployed each stack with the environment's roles.
    await createFargateEstate(cfn, stacks);
    for (const name of Object.keys(stacks)) stacks[name]!.events = await eventsOf(name);
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    await moto?.stop();
    process.env = saved;
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('discovers the stacks by their proton:* tags and writes a starter spec per resource', async () => {
    const r = await nucleon(['discover', '--specs', join(work, 'specs'), '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      stacks: Array<{ kind: string; name: string; serviceName?: string; templateName?: string }>;
      written: string[];
    };
    expect(out.stacks.map((s) => [s.kind, s.serviceName ?? '', s.name, s.templateName])).toEqual([
      ['ENVIRONMENT', '', 'beta', 'proton-env'],
      ['ENVIRONMENT', '', 'gamma', 'proton-env'],
      ['ENVIRONMENT', '', 'prod', 'fargate-env'],
      ['SERVICE_INSTANCE', 'api', 'one', 'proton-svc'],
      ['SERVICE_INSTANCE', 'api', 'two', 'proton-svc'],
      ['SERVICE_INSTANCE', 'frontend', 'one', 'fargate-svc'],
      ['SERVICE_INSTANCE', 'frontend', 'two', 'fargate-svc'],
      ['SERVICE_PIPELINE', 'frontend', 'pipeline', 'fargate-svc'],
      ['COMPONENT', 'frontend', 'frontend-cache', undefined],
    ]);
    expect(out.written.sort()).toEqual([
      'component-frontend-cache.yaml',
      'environment-beta.yaml',
      'environment-gamma.yaml',
      'environment-prod.yaml',
      'service-api.yaml',
      'service-frontend.yaml',
    ]);
    // Inputs the templates expose as stack parameters are filled in, typed by the schema; the
    // roles come from the stacks' RoleARN.
    const read = (file: string) =>
      parse(readFileSync(join(work, 'specs', file), 'utf8')) as Record<string, unknown>;
    const prodFile = read('environment-prod.yaml');
    expect(parse(prodFile.spec as string)).toEqual({
      proton: 'EnvironmentSpec',
      spec: { vpc_cidr: '10.3.0.0/16' },
    });
    expect(prodFile).toMatchObject({
      inferredInputs: ['vpc_cidr'],
      protonServiceRoleArn: SERVICE_ROLE,
      componentRoleArn: COMPONENT_ROLE,
    });
    const frontendFile = read('service-frontend.yaml');
    expect(parse(frontendFile.spec as string)).toEqual({
      proton: 'ServiceSpec',
      pipeline: {},
      instances: [
        { name: 'one', environment: 'prod', spec: { desired_count: 2 } },
        { name: 'two', environment: 'prod', spec: { desired_count: 1 } },
      ],
    });
    expect((frontendFile.stacks as Array<{ target: string }>).map((x) => x.target)).toEqual([
      'instance/one',
      'instance/two',
      'pipeline',
    ]);
    expect(read('component-frontend-cache.yaml')).toMatchObject({
      kind: 'COMPONENT',
      serviceName: 'frontend',
      serviceInstanceName: 'one',
      stacks: [{ target: 'component', stackName: 'AWSProton-frontend-cache-component-P0A1S2' }],
    });
    const beta = parse(readFileSync(join(work, 'specs', 'environment-beta.yaml'), 'utf8')) as {
      templateMajorVersion: string;
      templateMinorVersion?: string;
      stacks: Array<{ stackId: string }>;
    };
    expect(beta.templateMajorVersion).toBe('1');
    expect(beta.templateMinorVersion).toBe('0');
    expect(beta.stacks[0]!.stackId).toBe(stacks['AWSProton-beta-cloudformation-ABC123']!.id);
  });

  it('matches: EXACT where the spec renders the stack, DIFFERENT with a diff where not', async () => {
    // The user completes the specs with the inputs Proton deployed them with (gamma's stays
    // at the defaults, so it no longer matches its stack).
    const edit = (file: string, spec: unknown) => {
      const path = join(work, 'specs', file);
      const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, stringify({ ...doc, spec: stringify(spec) }));
    };
    edit('environment-beta.yaml', { proton: 'EnvironmentSpec', spec: { vpc_cidr: '10.5.0.0/16' } });
    edit('service-api.yaml', {
      proton: 'ServiceSpec',
      instances: [
        { name: 'one', environment: 'beta', spec: { delay: 7 } },
        { name: 'two', environment: 'beta', spec: {} },
      ],
    });
    edit('environment-prod.yaml', FARGATE_SPECS.prod);
    edit('service-frontend.yaml', FARGATE_SPECS.frontend);
    // The pipeline's source repository, as the service had it in Proton; and the component's
    // Jinja source in place of the template its stack runs.
    const frontendPath = join(work, 'specs', 'service-frontend.yaml');
    writeFileSync(
      frontendPath,
      stringify({ ...(parse(readFileSync(frontendPath, 'utf8')) as object), ...REPOSITORY }),
    );
    const componentPath = join(work, 'specs', 'component-frontend-cache.yaml');
    writeFileSync(
      componentPath,
      stringify({
        ...(parse(readFileSync(componentPath, 'utf8')) as object),
        templateFile: COMPONENT_TEMPLATE,
      }),
    );
    const r = await nucleon(['match', '--specs', join(work, 'specs'), '--output', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as {
      resources: Array<{
        resource: string;
        unmatched?: string;
        results: Array<{ target: string; match: string; diff?: string }>;
      }>;
    };
    const by = Object.fromEntries(out.resources.map((x) => [x.resource, x]));
    expect(by['environment beta']!.results).toMatchObject([
      { target: 'environment', match: 'EXACT' },
    ]);
    expect(by['environment gamma']!.results[0]!.match).toBe('DIFFERENT');
    expect(by['environment gamma']!.results[0]!.diff).toContain('10.9.0.0/16');
    expect(by['environment prod']!.results).toMatchObject([
      { target: 'environment', match: 'EXACT' },
    ]);
    // Instances render with their environment's outputs: matched once beta is adopted; a
    // component once its instance is.
    expect(by['service api']!.unmatched).toContain('environment beta does not exist');
    expect(by['service frontend']!.unmatched).toContain('environment prod does not exist');
    expect(by['component frontend-cache']!.unmatched).toContain(
      'service instance one of service frontend does not exist',
    );
  });

  it('adopts what matches without touching CloudFormation, and refuses what differs', async () => {
    const r = await nucleon(['adopt', '--specs', join(work, 'specs'), '--output', 'json']);
    expect(r.code, r.stderr).toBe(1); // gamma is not adopted
    const out = JSON.parse(r.stdout) as {
      resources: Array<{ resource: string; adopted: boolean; results: Array<{ match: string }> }>;
    };
    expect(
      out.resources.map((x) => [x.resource, x.adopted, x.results.map((y) => y.match)]),
    ).toEqual([
      ['environment beta', true, ['EXACT']],
      ['environment gamma', false, ['DIFFERENT']],
      ['environment prod', true, ['EXACT']],
      ['service api', true, ['EXACT', 'EXACT']],
      ['service frontend', true, ['EXACT', 'EXACT', 'EXACT']],
      ['component frontend-cache', true, ['EXACT']],
    ]);

    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'beta' }))).environment!;
    expect(env.deploymentStatus).toBe('SUCCEEDED');
    expect(env.templateName).toBe('proton-env');
    const envOutputs = (
      await proton.send(new P.ListEnvironmentOutputsCommand({ environmentName: 'beta' }))
    ).outputs!;
    expect(envOutputs).toEqual([
      {
        key: 'VpcId',
        valueString: await outputOf('AWSProton-beta-cloudformation-ABC123', 'VpcId'),
      },
    ]);
    await expect(proton.send(new P.GetEnvironmentCommand({ name: 'gamma' }))).rejects.toThrow(
      P.ResourceNotFoundException,
    );
    const svc = (await proton.send(new P.GetServiceCommand({ name: 'api' }))).service!;
    expect(svc.status).toBe('ACTIVE');
    const listed = (await proton.send(new P.ListServiceInstancesCommand({ serviceName: 'api' })))
      .serviceInstances!;
    expect(listed.map((i) => [i.name, i.environmentName, i.deploymentStatus])).toEqual([
      ['one', 'beta', 'SUCCEEDED'],
      ['two', 'beta', 'SUCCEEDED'],
    ]);
    const outputs = (
      await proton.send(
        new P.ListServiceInstanceOutputsCommand({ serviceName: 'api', serviceInstanceName: 'one' }),
      )
    ).outputs!;
    expect(outputs).toEqual([
      {
        key: 'QueueName',
        valueString: await outputOf('AWSProton-api-one-cloudformation-XYZ', 'QueueName'),
      },
    ]);
    const provisioned = (
      await proton.send(
        new P.ListServiceInstanceProvisionedResourcesCommand({
          serviceName: 'api',
          serviceInstanceName: 'one',
        }),
      )
    ).provisionedResources!;
    expect(provisioned).toMatchObject([
      {
        name: 'AWSProton-api-one-cloudformation-XYZ',
        identifier: stacks['AWSProton-api-one-cloudformation-XYZ']!.id,
        provisioningEngine: 'CLOUDFORMATION',
      },
    ]);
    // The Fargate estate through the AWS CLI and the SDK: every resource, with its stack's outputs.
    const [environments, instances, pipelineOutputs, components] = await Promise.all([
      awsProton(['list-environments']),
      awsProton(['list-service-instances', '--service-name', 'frontend']),
      awsProton(['list-service-pipeline-outputs', '--service-name', 'frontend']),
      awsProton(['list-components']),
    ]);
    expect(environments.environments!.map((e) => [e.name, e.templateName])).toEqual([
      ['beta', 'proton-env'],
      ['prod', 'fargate-env'],
    ]);
    expect(
      instances.serviceInstances!.map((i) => [
        i.name,
        i.environmentName,
        i.templateName,
        i.deploymentStatus,
      ]),
    ).toEqual([
      ['one', 'prod', 'fargate-svc', 'SUCCEEDED'],
      ['two', 'prod', 'fargate-svc', 'SUCCEEDED'],
    ]);
    expect(sorted(pipelineOutputs.outputs!)).toEqual(
      asOutputs(await outputsOf('AWSProton-frontend-pipeline-U7I8O9')),
    );
    expect(
      components.components!.map((c) => [
        c.name,
        c.environmentName,
        c.serviceName,
        c.serviceInstanceName,
        c.deploymentStatus,
      ]),
    ).toEqual([['frontend-cache', 'prod', 'frontend', 'one', 'SUCCEEDED']]);
    expect(
      sorted(
        (await proton.send(new P.ListEnvironmentOutputsCommand({ environmentName: 'prod' })))
          .outputs!,
      ),
    ).toEqual(asOutputs(await outputsOf('AWSProton-prod-cloudformation-Q1W2E3')));
    for (const i of ['one', 'two'])
      expect(
        sorted(
          (
            await proton.send(
              new P.ListServiceInstanceOutputsCommand({
                serviceName: 'frontend',
                serviceInstanceName: i,
              }),
            )
          ).outputs!,
        ),
      ).toEqual(asOutputs(await outputsOf(`AWSProton-frontend-${i}-cloudformation-R4T5Y6`)));
    expect(
      sorted(
        (await proton.send(new P.ListComponentOutputsCommand({ componentName: 'frontend-cache' })))
          .outputs!,
      ),
    ).toEqual(asOutputs(await outputsOf('AWSProton-frontend-cache-component-P0A1S2')));
    const frontend = (await proton.send(new P.GetServiceCommand({ name: 'frontend' }))).service!;
    expect(frontend).toMatchObject({ status: 'ACTIVE', ...REPOSITORY });
    expect(frontend.pipeline?.deploymentStatus).toBe('SUCCEEDED');
    // Nothing was created, updated or deleted: the same stacks, each with the events it had.
    const all = (await cfn.describeStacks({})).Stacks!;
    expect(all.map((s) => s.StackId).sort()).toEqual(
      Object.values(stacks)
        .map((s) => s.id)
        .sort(),
    );
    for (const [name, s] of Object.entries(stacks)) expect(await eventsOf(name)).toBe(s.events);
  });

  it('re-running the import changes nothing', async () => {
    const before = (
      await proton.send(new P.GetServiceInstanceCommand({ serviceName: 'api', name: 'one' }))
    ).serviceInstance!;
    const r = await nucleon(['adopt', '--specs', join(work, 'specs'), '--output', 'json']);
    const out = JSON.parse(r.stdout) as {
      resources: Array<{ resource: string; adopted: boolean }>;
    };
    expect(out.resources.map((x) => [x.resource, x.adopted])).toEqual([
      ['environment beta', true],
      ['environment gamma', false],
      ['environment prod', true],
      ['service api', true],
      ['service frontend', true],
      ['component frontend-cache', true],
    ]);
    const m = await nucleon(['match', '--specs', join(work, 'specs'), '--output', 'json']);
    const matched = JSON.parse(m.stdout) as {
      resources: Array<{ results: Array<{ match: string }> }>;
    };
    expect(matched.resources[3]!.results.map((x) => x.match)).toEqual(['EXACT', 'EXACT']);
    expect(matched.resources[4]!.results.map((x) => x.match)).toEqual(['EXACT', 'EXACT', 'EXACT']);
    const after = (
      await proton.send(new P.GetServiceInstanceCommand({ serviceName: 'api', name: 'one' }))
    ).serviceInstance!;
    expect(after.lastDeploymentSucceededAt).toEqual(before.lastDeploymentSucceededAt);
    expect(
      (await proton.send(new P.ListServiceInstancesCommand({ serviceName: 'api' })))
        .serviceInstances,
    ).toHaveLength(2);
    for (const [name, s] of Object.entries(stacks)) expect(await eventsOf(name)).toBe(s.events);
  });

  it('--adopt discovers, matches and adopts in one go what matches exactly', async () => {
    // Another environment Proton deployed with the template's defaults: its starter spec matches.
    await createProtonStack(
      'AWSProton-delta-cloudformation-GHI789',
      jinja('env-cfn/infrastructure/cloudformation.yaml', {
        environment: { name: 'delta', inputs: { vpc_cidr: '10.0.0.0/16' } },
      }),
      {
        'proton:template': `${PROTON}:environment-template/proton-env:1.0`,
        'proton:environment': `${PROTON}:environment/delta`,
      },
    );
    const events = await eventsOf('AWSProton-delta-cloudformation-GHI789');
    const r = await nucleon(['--adopt', '--output', 'json']);
    expect(r.code, r.stderr).toBe(1); // gamma still differs
    const out = JSON.parse(r.stdout) as {
      resources: Array<{ resource: string; adopted: boolean }>;
    };
    expect(out.resources.map((x) => [x.resource, x.adopted])).toEqual([
      ['environment beta', true],
      ['environment delta', true],
      ['environment gamma', false],
      ['environment prod', true],
      ['service api', true],
      ['service frontend', true],
      ['component frontend-cache', true],
    ]);
    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'delta' }))).environment!;
    expect(env.deploymentStatus).toBe('SUCCEEDED');
    expect(await eventsOf('AWSProton-delta-cloudformation-GHI789')).toBe(events);
  });

  it('the next UpdateServiceInstance updates the stack Proton made, by change set', async () => {
    // frontend/one of the Fargate estate, adopted above, scaled from 2 to 3 tasks.
    const name = FARGATE.instance('one');
    const spec = structuredClone(FARGATE_SPECS.frontend);
    spec.instances[0]!.spec.desired_count = 3;
    await proton.send(
      new P.UpdateServiceInstanceCommand({
        serviceName: 'frontend',
        name: 'one',
        deploymentType: 'CURRENT_VERSION',
        spec: stringify(spec),
      }),
    );
    const done = await P.waitUntilServiceInstanceDeployed(w(proton), {
      serviceName: 'frontend',
      name: 'one',
    });
    expect(done.state).toBe('SUCCESS');
    const stack = (await cfn.describeStacks({ StackName: name })).Stacks![0]!;
    expect(stack.StackId).toBe(stacks[name]!.id);
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    // moto's events: the very stack Proton made has new ones (an update), and no stack was added.
    expect(await eventsOf(name)).toBeGreaterThan(stacks[name]!.events);
    expect((await cfn.describeStacks({})).Stacks!.length).toBe(Object.keys(stacks).length);
    const body = (await cfn.getTemplate({ StackName: stack.StackId! })).TemplateBody!;
    expect(body).toMatch(/DesiredCount:\s*\n\s*Type: Number\s*\n\s*Default: 3/);
    // The engine accepted the untagged stack as this resource's by its id, and sent its
    // ownership tags with the change set (moto_server does not copy change-set tags to the stack).
    const id = (
      await proton.send(new P.GetServiceInstanceCommand({ serviceName: 'frontend', name: 'one' }))
    ).serviceInstance!.lastSucceededDeploymentId!;
    const details = await nucleonClient(server).send(
      `${extensionTargetPrefix}.GetDeploymentDetails`,
      { id },
    );
    const log = JSON.stringify(details);
    expect(log).toContain('was adopted from AWS Proton for this resource (stack id');
    expect(log).toContain(`updating stack ${stacks[name]!.id} with change set`);
    // The other instance's stack was left alone.
    expect(await eventsOf(FARGATE.instance('two'))).toBe(stacks[FARGATE.instance('two')]!.events);
  });

  it('--accept-differences adopts a stack that differs, shown as drifted', async () => {
    const gamma = 'AWSProton-gamma-cloudformation-DEF456';
    const r = await nucleon([
      'adopt',
      '--specs',
      join(work, 'specs'),
      '--accept-differences',
      '--output',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      resources: Array<{
        resource: string;
        adopted: boolean;
        results: Array<{ message?: string }>;
      }>;
    };
    const adopted = out.resources.find((x) => x.resource === 'environment gamma')!;
    expect(adopted.adopted).toBe(true);
    expect(adopted.results[0]!.message).toContain('with differences');
    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'gamma' }))).environment!;
    expect(env.deploymentStatusMessage).toContain('it has drifted from the rendered template');
    const report = (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDriftReport`, {
      environmentName: 'gamma',
    })) as { resources: Array<{ name: string; drifted: boolean }> };
    expect(report.resources.find((x) => x.name === 'gamma')?.drifted).toBe(true);
    expect(await eventsOf(gamma)).toBe(stacks[gamma]!.events);
  });

  it('discovers in several regions and accounts (--region, --role-arn); adopts what its role reaches, refuses another region', async () => {
    // Environment west in us-west-2, and environment acme in account 222233334444, which
    // Proton deployed through an environment account connection's role there.
    const envTemplate = 'env-cfn/infrastructure/cloudformation.yaml';
    const west = new CloudFormation({
      region: 'us-west-2',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const westStack = (
      await west.createStack({
        StackName: 'AWSProton-west-cloudformation-W1E2S3',
        TemplateBody: jinja(envTemplate, {
          environment: { name: 'west', inputs: { vpc_cidr: '10.0.0.0/16' } },
        }),
        Tags: [
          { Key: 'proton:template', Value: `${PROTON}:environment-template/proton-env:1.0` },
          { Key: 'proton:environment', Value: `${PROTON}:environment/west` },
        ],
      })
    ).StackId!;
    const discoveryRole = 'arn:aws:iam::222233334444:role/NucleonImport';
    const acmeRole = 'arn:aws:iam::222233334444:role/ProtonEnvironmentRole';
    const assumed = (
      await new STS({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      }).assumeRole({ RoleArn: discoveryRole, RoleSessionName: 'proton' })
    ).Credentials!;
    const acme = new CloudFormation({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: {
        accessKeyId: assumed.AccessKeyId!,
        secretAccessKey: assumed.SecretAccessKey!,
        sessionToken: assumed.SessionToken!,
      },
    });
    const acmeStack = (
      await acme.createStack({
        StackName: 'AWSProton-acme-cloudformation-A4C5M6',
        TemplateBody: jinja(envTemplate, {
          environment: { name: 'acme', inputs: { vpc_cidr: '10.0.0.0/16' } },
        }),
        RoleARN: acmeRole,
        Tags: [
          { Key: 'proton:template', Value: `${PROTON}:environment-template/proton-env:1.0` },
          { Key: 'proton:environment', Value: `${PROTON}:environment/acme` },
        ],
      })
    ).StackId!;
    expect(acmeStack.split(':')[4]).toBe('222233334444');
    const eventsIn = async (client: CloudFormation, id: string) =>
      (await client.describeStackEvents({ StackName: id })).StackEvents!.length;
    const before = [await eventsIn(west, westStack), await eventsIn(acme, acmeStack)];

    const specs = join(work, 'specs-multi');
    const d = await nucleon([
      'discover',
      '--specs',
      specs,
      '--region',
      'us-east-1',
      '--region',
      'us-west-2',
      '--role-arn',
      discoveryRole,
      '--output',
      'json',
    ]);
    expect(d.code, d.stderr).toBe(0);
    const found = (
      JSON.parse(d.stdout) as {
        stacks: Array<{
          name: string;
          kind: string;
          region: string;
          account: string;
          discoveryRoleArn?: string;
        }>;
      }
    ).stacks.filter((x) => x.kind === 'ENVIRONMENT');
    expect(found.map((x) => [x.name, x.region, x.account, x.discoveryRoleArn ?? ''])).toEqual([
      ['acme', 'us-east-1', '222233334444', discoveryRole],
      ['beta', 'us-east-1', '123456789012', ''],
      ['delta', 'us-east-1', '123456789012', ''],
      ['gamma', 'us-east-1', '123456789012', ''],
      ['prod', 'us-east-1', '123456789012', ''],
      ['west', 'us-west-2', '123456789012', ''],
    ]);
    expect(parse(readFileSync(join(specs, 'environment-acme.yaml'), 'utf8'))).toMatchObject({
      protonServiceRoleArn: acmeRole,
      stacks: [{ region: 'us-east-1', discoveryRoleArn: discoveryRole }],
    });

    const a = await nucleon(['adopt', '--specs', specs, '--output', 'json']);
    expect(a.code).toBe(1); // west is refused
    const out = JSON.parse(a.stdout) as {
      resources: Array<{ resource: string; adopted?: boolean; unmatched?: string }>;
    };
    const by = Object.fromEntries(out.resources.map((x) => [x.resource, x]));
    expect(by['environment acme']!.adopted).toBe(true);
    expect(by['environment west']!.unmatched).toContain(
      'is in us-west-2, but this Nucleon deploys CloudFormation in us-east-1',
    );
    const acmeEnv = (await proton.send(new P.GetEnvironmentCommand({ name: 'acme' }))).environment!;
    expect(acmeEnv).toMatchObject({
      deploymentStatus: 'SUCCEEDED',
      protonServiceRoleArn: acmeRole,
    });
    await expect(proton.send(new P.GetEnvironmentCommand({ name: 'west' }))).rejects.toThrow(
      P.ResourceNotFoundException,
    );
    expect([await eventsIn(west, westStack), await eventsIn(acme, acmeStack)]).toEqual(before);
    west.destroy();
    acme.destroy();
  });

  it('adopts a self-managed Terraform estate from its provisioning repository; the next deployment commits to the same folder', async () => {
    // The provisioning repository as Proton left it: environment tf-prod in tf-prod/, instance
    // worker/one in tf-prod/worker-one/, component worker-cache (attached to worker/one) in
    // tf-prod/worker-cache/, worker's pipeline in worker/pipeline/, each with its .tf files and
    // the files Proton generated next to them. The Terraform state is the customer's.
    const remote = join(work, 'infra.git');
    const clone = join(work, 'infra');
    git(['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
    git(['init', '--quiet', '--initial-branch', 'main', clone]);
    git(['remote', 'add', 'origin', remote], clone);
    const put = (path: string, content: string) => {
      mkdirSync(dirname(join(clone, path)), { recursive: true });
      writeFileSync(join(clone, path), content);
    };
    const bundleFile = (path: string) => readFileSync(join(fixtures, path), 'utf8');
    const meta = (arn: string, template: string) =>
      JSON.stringify(
        {
          deploymentId: 'c2a4b7f0-proton-era-deployment',
          isResourceDeleted: false,
          resourceMetadata: {
            arn,
            templateArn: `${PROTON}:${template}`,
            templateMajorVersion: '1',
            templateMinorVersion: '0',
          },
        },
        null,
        2,
      );
    const tags = { 'proton:account': '111122223333' };
    for (const f of ['config.tf', 'vpc.tf', 'outputs.tf'])
      put(`tf-prod/${f}`, bundleFile(`env-terraform-adopt/infrastructure/${f}`));
    put(
      'tf-prod/proton.environment.variables.tf',
      'variable "environment" {\n  type = object({ inputs = map(string), name = string })\n  default = null\n}\n\nvariable "proton_tags" {\n  type = map(string)\n  default = null\n}\n',
    );
    put(
      'tf-prod/proton.auto.tfvars.json',
      JSON.stringify({
        environment: { name: 'tf-prod', inputs: { vpc_cidr: '10.8.0.0/16', subnet_count: '3' } },
        proton_tags: tags,
      }),
    );
    put(
      'tf-prod/.proton/deployment-metadata.json',
      meta(`${PROTON}:environment/tf-prod`, 'environment-template/tf-vpc'),
    );
    const envOutputs = {
      vpc_id: 'vpc-0a1b2c3d4e5f67890',
      private_subnet_ids: 'subnet-1,subnet-2,subnet-3',
    };
    for (const f of ['config.tf', 'queue.tf'])
      put(
        `tf-prod/worker-one/${f}`,
        bundleFile(`svc-terraform-adopt/instance_infrastructure/${f}`),
      );
    put(
      'tf-prod/worker-one/proton.auto.tfvars.json',
      JSON.stringify({
        environment: { name: 'tf-prod', account_id: '111122223333', outputs: envOutputs },
        service: { name: 'worker' },
        service_instance: { name: 'one', inputs: { visibility_timeout: '45', fifo: 'true' } },
        proton_tags: tags,
      }),
    );
    put(
      'tf-prod/worker-one/.proton/deployment-metadata.json',
      meta(`${PROTON}:service/worker/service-instance/one`, 'service-template/tf-queue'),
    );
    const componentTf =
      'resource "aws_sqs_queue" "cache" {\n  name = "${var.environment.name}-${var.component.name}"\n}\n\noutput "queue_url" {\n  value = aws_sqs_queue.cache.url\n}\n';
    put('tf-prod/worker-cache/main.tf', componentTf);
    put(
      'tf-prod/worker-cache/proton.auto.tfvars.json',
      JSON.stringify({
        environment: { name: 'tf-prod', account_id: '111122223333', outputs: envOutputs },
        component: { name: 'worker-cache' },
        service: { name: 'worker' },
        service_instance: { name: 'one', inputs: { visibility_timeout: '45', fifo: 'true' } },
        proton_tags: tags,
      }),
    );
    put(
      'tf-prod/worker-cache/.proton/deployment-metadata.json',
      JSON.stringify({
        deploymentId: 'c2a4b7f0-proton-era-deployment',
        isResourceDeleted: false,
        componentMetadata: {
          arn: `${PROTON}:component/worker-cache`,
          environmentArn: `${PROTON}:environment/tf-prod`,
          serviceInstanceArn: `${PROTON}:service/worker/service-instance/one`,
        },
      }),
    );
    put(
      'worker/pipeline/pipeline.tf',
      bundleFile('svc-terraform-adopt/pipeline_infrastructure/pipeline.tf'),
    );
    put(
      'worker/pipeline/proton.auto.tfvars.json',
      JSON.stringify({
        service: {
          name: 'worker',
          repository_id: REPOSITORY.repositoryId,
          repository_connection_arn: REPOSITORY.repositoryConnectionArn,
          branch_name: REPOSITORY.branchName,
        },
        service_instances: [
          {
            name: 'one',
            inputs: { visibility_timeout: '45', fifo: 'true' },
            outputs: {},
            environment: { name: 'tf-prod', account_id: '111122223333', outputs: envOutputs },
          },
        ],
        pipeline: {
          inputs: {
            build_command: 'make test',
            build_role_arn: 'arn:aws:iam::111122223333:role/WorkerBuild',
          },
        },
        proton_tags: tags,
      }),
    );
    put(
      'worker/pipeline/.proton/deployment-metadata.json',
      meta(`${PROTON}:service/worker/pipeline`, 'service-template/tf-queue'),
    );
    git(['add', '-A'], clone);
    git(['commit', '--quiet', '-m', 'Proton deployments'], clone);
    git(['push', '--quiet', 'origin', 'main'], clone);
    const head = git(['rev-parse', 'main'], remote).trim();

    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'tf-vpc',
      fixture: 'env-terraform-adopt',
    });
    const tfQueue = await publishFixture(server, {
      kind: 'SERVICE',
      template: 'tf-queue',
      fixture: 'svc-terraform-adopt',
      compatible: [{ templateName: 'tf-vpc', majorVersion: '1' }],
      pipeline: true,
    });
    await proton.send(
      new P.UpdateServiceTemplateVersionCommand({
        templateName: 'tf-queue',
        ...tfQueue,
        supportedComponentSources: ['DIRECTLY_DEFINED'],
      }),
    );
    await proton.send(
      new P.CreateRepositoryCommand({
        provider: 'GITHUB',
        name: 'acme/infra',
        connectionArn: REPOSITORY.repositoryConnectionArn,
      }),
    );
    await nucleonClient(server).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
      provider: 'GITHUB',
      name: 'acme/infra',
      remoteUrl: remote,
    });
    // Proton committed self-managed pipelines to the account's pipeline repository.
    await proton.send(
      new P.UpdateAccountSettingsCommand({
        pipelineProvisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
      }),
    );

    const specs = join(work, 'specs-tf');
    const d = await nucleon([
      'discover',
      '--specs',
      specs,
      '--repository',
      'GITHUB:acme/infra@main',
      '--repository-url',
      remote,
      '--output',
      'json',
    ]);
    expect(d.code, d.stderr).toBe(0);
    const found = JSON.parse(d.stdout) as {
      folders: Array<{ kind: string; name: string; folder: string; templateName: string }>;
    };
    expect(found.folders.map((f) => [f.kind, f.name, f.folder, f.templateName])).toEqual([
      ['ENVIRONMENT', 'tf-prod', 'tf-prod', 'tf-vpc'],
      ['COMPONENT', 'worker-cache', 'tf-prod/worker-cache', undefined],
      ['SERVICE_INSTANCE', 'one', 'tf-prod/worker-one', 'tf-queue'],
      ['SERVICE_PIPELINE', 'pipeline', 'worker/pipeline', 'tf-queue'],
    ]);
    // The inputs come from proton.auto.tfvars.json, typed by the registered schema; the
    // environment's outputs from its instance's copy of them.
    const envFile = parse(readFileSync(join(specs, 'environment-tf-prod.yaml'), 'utf8')) as {
      spec: string;
      folders: Array<{ folder: string; outputs: Record<string, string> }>;
      provisioningRepository: unknown;
    };
    expect(parse(envFile.spec)).toEqual({
      proton: 'EnvironmentSpec',
      spec: { vpc_cidr: '10.8.0.0/16', subnet_count: 3 },
    });
    expect(envFile.folders).toEqual([
      { target: 'environment', folder: 'tf-prod', outputs: envOutputs },
    ]);
    expect(envFile.provisioningRepository).toEqual({
      provider: 'GITHUB',
      name: 'acme/infra',
      branch: 'main',
    });
    const svcFile = parse(readFileSync(join(specs, 'service-worker.yaml'), 'utf8')) as {
      spec: string;
      folders: Array<{ target: string; folder: string }>;
    };
    // The pipeline's inputs and its source repository come from its proton.auto.tfvars.json.
    expect(svcFile).toMatchObject(REPOSITORY);
    expect(svcFile.folders.map((f) => [f.target, f.folder])).toEqual([
      ['instance/one', 'tf-prod/worker-one'],
      ['pipeline', 'worker/pipeline'],
    ]);
    expect(parse(svcFile.spec)).toEqual({
      proton: 'ServiceSpec',
      pipeline: {
        build_command: 'make test',
        build_role_arn: 'arn:aws:iam::111122223333:role/WorkerBuild',
      },
      instances: [
        { name: 'one', environment: 'tf-prod', spec: { visibility_timeout: 45, fifo: true } },
      ],
    });

    // The console's discovery reads the same repository on the server (linked, with its remote)
    // and answers the same starters, with each folder's files for match and adopt.
    const onServer = (await nucleonClient(server).send(
      `${extensionTargetPrefix}.DiscoverProtonResources`,
      { provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' } },
    )) as DiscoverProtonResourcesOutput;
    expect(onServer.inventory.filter((i) => i.folder).map((i) => [i.kind, i.folder])).toEqual(
      found.folders.map((f) => [f.kind, f.folder]),
    );
    const serverWorker = onServer.resources.find((r) => r.request.name === 'worker')!.request;
    expect(serverWorker).toMatchObject({ spec: svcFile.spec, ...REPOSITORY });
    expect(serverWorker.folders!.map((f) => [f.target, f.files.map((x) => x.path)])).toEqual([
      [
        'instance/one',
        ['.proton/deployment-metadata.json', 'config.tf', 'proton.auto.tfvars.json', 'queue.tf'],
      ],
      ['pipeline', ['.proton/deployment-metadata.json', 'pipeline.tf', 'proton.auto.tfvars.json']],
    ]);

    // A component's starter holds its .tf file; the user adds the outputs their automation last
    // reported, and (as Proton required for directly defined components) the environment's
    // component role.
    const componentPath = join(specs, 'component-worker-cache.yaml');
    const componentFile = parse(readFileSync(componentPath, 'utf8')) as {
      serviceName: string;
      serviceInstanceName: string;
      templateFile: string;
      folders: Array<{ target: string; folder: string; outputs: Record<string, string> }>;
    };
    expect(componentFile).toMatchObject({
      serviceName: 'worker',
      serviceInstanceName: 'one',
      templateFile: componentTf,
      folders: [{ target: 'component', folder: 'tf-prod/worker-cache', outputs: {} }],
    });
    const cacheOutputs = { queue_url: 'https://sqs.us-east-1.amazonaws.com/111122223333/cache' };
    componentFile.folders[0]!.outputs = cacheOutputs;
    writeFileSync(componentPath, stringify(componentFile));
    const envPath = join(specs, 'environment-tf-prod.yaml');
    writeFileSync(
      envPath,
      stringify({
        ...(parse(readFileSync(envPath, 'utf8')) as object),
        componentRoleArn: COMPONENT_ROLE,
      }),
    );

    // The CloudFormation resources discovered alongside were adopted before: every file adopts.
    const a = await nucleon(['adopt', '--specs', specs, '--output', 'json']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const adopted = JSON.parse(a.stdout) as {
      resources: Array<{
        resource: string;
        adopted: boolean;
        results: Array<{ match: string; folder?: string }>;
      }>;
    };
    const byName = Object.fromEntries(adopted.resources.map((x) => [x.resource, x]));
    expect(byName['environment tf-prod']!.results).toMatchObject([
      { match: 'EXACT', folder: 'tf-prod' },
    ]);
    expect(byName['service worker']!.results).toMatchObject([
      { match: 'EXACT', folder: 'tf-prod/worker-one' },
      { match: 'EXACT', folder: 'worker/pipeline' },
    ]);
    const worker = (await proton.send(new P.GetServiceCommand({ name: 'worker' }))).service!;
    expect(worker).toMatchObject({ status: 'ACTIVE', ...REPOSITORY });
    expect(worker.pipeline?.deploymentStatus).toBe('SUCCEEDED');
    expect(byName['component worker-cache']!.results).toMatchObject([
      { match: 'EXACT', folder: 'tf-prod/worker-cache' },
    ]);
    const component = (await proton.send(new P.GetComponentCommand({ name: 'worker-cache' })))
      .component!;
    expect(component).toMatchObject({
      deploymentStatus: 'SUCCEEDED',
      environmentName: 'tf-prod',
      serviceName: 'worker',
      serviceInstanceName: 'one',
    });
    expect(
      (await proton.send(new P.ListComponentOutputsCommand({ componentName: 'worker-cache' })))
        .outputs,
    ).toEqual(asOutputs(cacheOutputs));
    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'tf-prod' }))).environment!;
    expect(env).toMatchObject({
      deploymentStatus: 'SUCCEEDED',
      provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
    });
    expect(
      sorted(
        (await proton.send(new P.ListEnvironmentOutputsCommand({ environmentName: 'tf-prod' })))
          .outputs!,
      ),
    ).toEqual(asOutputs(envOutputs));
    const instance = (
      await proton.send(new P.GetServiceInstanceCommand({ serviceName: 'worker', name: 'one' }))
    ).serviceInstance!;
    expect(instance).toMatchObject({ deploymentStatus: 'SUCCEEDED', environmentName: 'tf-prod' });
    // Adoption wrote nothing to the repository.
    expect(git(['rev-parse', 'main'], remote).trim()).toBe(head);
    const again = await nucleon(['adopt', '--specs', specs, '--output', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(git(['rev-parse', 'main'], remote).trim()).toBe(head);

    // The next deployment commits to the folder Proton used, keeping the instance's folder.
    await proton.send(
      new P.UpdateEnvironmentCommand({
        name: 'tf-prod',
        deploymentType: 'CURRENT_VERSION',
        spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.8.0.0/16\n  subnet_count: 4\n',
      }),
    );
    const id = await waitFor(async () => {
      const e = (await proton.send(new P.GetEnvironmentCommand({ name: 'tf-prod' }))).environment!;
      return git(['rev-parse', 'main'], remote).trim() !== head
        ? e.lastAttemptedDeploymentId
        : undefined;
    });
    git(['pull', '--quiet', 'origin', 'main'], clone);
    const tfvars = JSON.parse(
      readFileSync(join(clone, 'tf-prod/proton.auto.tfvars.json'), 'utf8'),
    ) as {
      environment: { inputs: Record<string, string> };
    };
    expect(tfvars.environment.inputs).toEqual({ vpc_cidr: '10.8.0.0/16', subnet_count: '4' });
    expect(
      (
        JSON.parse(
          readFileSync(join(clone, 'tf-prod/.proton/deployment-metadata.json'), 'utf8'),
        ) as {
          deploymentId: string;
        }
      ).deploymentId,
    ).toBe(id);
    for (const folder of ['worker-one', 'worker-cache'])
      expect(
        readFileSync(join(clone, `tf-prod/${folder}/.proton/deployment-metadata.json`), 'utf8'),
      ).toContain('c2a4b7f0-proton-era-deployment');
    // The customer's automation applies it and reports back, as it did for Proton.
    await proton.send(
      new P.NotifyResourceDeploymentStatusChangeCommand({
        resourceArn: env.arn!,
        deploymentId: id,
        status: 'SUCCEEDED',
        outputs: asOutputs(envOutputs),
      }),
    );
    const done = await P.waitUntilEnvironmentDeployed(w(proton), { name: 'tf-prod' });
    expect(done.state).toBe('SUCCESS');

    // The pipeline's next deployment commits to its folder in the pipeline repository.
    const beforePipeline = git(['rev-parse', 'main'], remote).trim();
    const pipelineSpec = parse(svcFile.spec) as { pipeline: Record<string, string> };
    pipelineSpec.pipeline.build_command = 'make ci';
    await proton.send(
      new P.UpdateServicePipelineCommand({
        serviceName: 'worker',
        deploymentType: 'CURRENT_VERSION',
        spec: stringify(pipelineSpec),
      }),
    );
    await waitFor(async () =>
      git(['rev-parse', 'main'], remote).trim() !== beforePipeline ? true : undefined,
    );
    git(['pull', '--quiet', 'origin', 'main'], clone);
    const pipelineVars = JSON.parse(
      readFileSync(join(clone, 'worker/pipeline/proton.auto.tfvars.json'), 'utf8'),
    ) as { pipeline: { inputs: Record<string, string> } };
    expect(pipelineVars.pipeline.inputs.build_command).toBe('make ci');
    expect(
      readFileSync(join(clone, 'worker/pipeline/.proton/deployment-metadata.json'), 'utf8'),
    ).not.toContain('c2a4b7f0-proton-era-deployment');
  });
});
