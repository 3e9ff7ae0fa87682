import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudFormation } from '@aws-sdk/client-cloudformation';
import * as P from '@aws-sdk/client-proton';
import type { TestServer } from '@nucleon/test-utils';
import { publishFixture, sdkClient } from './helpers.js';

/**
 * What AWS Proton left behind, for the import tests (the CLI's and the console's): stacks in
 * moto_server rendered from our fixture bundles by Python's Jinja2, as Proton rendered them, with
 * Proton's tags and roles. The Fargate estate is modelled on AWS's public sample templates: a
 * public-VPC environment `prod`, a Fargate service `frontend` with instances `one` and `two`, its
 * CodePipeline pipeline, and a directly defined component `frontend-cache` attached to
 * `frontend/one`.
 */

const fixtures = fileURLToPath(new URL('./fixtures/bundles/', import.meta.url));

export const PROTON = 'arn:aws:proton:us-east-1:111122223333';
/** The roles Proton deployed with, in the stacks' account (moto_server's default account). */
export const SERVICE_ROLE = 'arn:aws:iam::123456789012:role/ProtonServiceRole';
export const COMPONENT_ROLE = 'arn:aws:iam::123456789012:role/ProtonComponentRole';
/** The source repository of frontend's pipeline, as the service had it in Proton. */
export const REPOSITORY = {
  repositoryConnectionArn:
    'arn:aws:codestar-connections:us-east-1:111122223333:connection/2c2d7f1c-33a8-4b4e-8ffd-4bf5a0a1e2c4',
  repositoryId: 'example-org/frontend',
  branchName: 'main',
};
/** A directly defined component's template file, as its owner wrote it for Proton. */
export const COMPONENT_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: Cache queue of {{ service.name }}/{{ service_instance.name }} ({{ component.name }})
Resources:
  CacheQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ environment.name }}-{{ component.name }}'
      VisibilityTimeout: 60
Outputs:
  QueueUrl:
    Value: !Ref CacheQueue
`;

/** The Fargate estate's stack names. */
export const FARGATE = {
  environment: 'AWSProton-prod-cloudformation-Q1W2E3',
  instance: (name: 'one' | 'two') => `AWSProton-frontend-${name}-cloudformation-R4T5Y6`,
  pipeline: 'AWSProton-frontend-pipeline-U7I8O9',
  component: 'AWSProton-frontend-cache-component-P0A1S2',
};

const PROD_INPUTS = {
  vpc_cidr: '10.3.0.0/16',
  subnet_one_cidr: '10.3.0.0/24',
  subnet_two_cidr: '10.3.1.0/24',
};
const INSTANCE_INPUTS = {
  one: {
    port: 8080,
    desired_count: 2,
    task_size: 'small',
    image: 'public.ecr.aws/nginx/nginx:stable',
  },
  two: {
    port: 80,
    desired_count: 1,
    task_size: 'x-small',
    image: 'public.ecr.aws/nginx/nginx:stable',
  },
};

/**
 * The specs the user completes for the Fargate estate (what Proton deployed it with; the image
 * is the template's default): prod's environment spec and frontend's service spec.
 */
export const FARGATE_SPECS = {
  prod: { proton: 'EnvironmentSpec', spec: PROD_INPUTS },
  frontend: {
    proton: 'ServiceSpec',
    pipeline: { service_dir: 'frontend', unit_test_command: 'npm test' },
    instances: [
      {
        name: 'one',
        environment: 'prod',
        spec: { desired_count: 2, port: 8080, task_size: 'small' },
      },
      { name: 'two', environment: 'prod', spec: { desired_count: 1 } },
    ],
  },
};

/** Renders a bundle file (or a template's text) the way Proton did, with Python's Jinja2. */
export function jinja(file: string | { text: string }, context: Record<string, unknown>): string {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import sys, json, jinja2; t = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(sys.stdin.read()); print(t.render(**json.loads(sys.argv[1])))',
      JSON.stringify(context),
    ],
    {
      encoding: 'utf8',
      input: typeof file === 'string' ? readFileSync(join(fixtures, file), 'utf8') : file.text,
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** Each stack Proton left: its id, and how many events it had before the import. */
export type ProtonStacks = Record<string, { id: string; events: number }>;

export async function createProtonStack(
  cfn: CloudFormation,
  stacks: ProtonStacks,
  name: string,
  body: string,
  tags: Record<string, string>,
  roleArn?: string,
): Promise<void> {
  const out = await cfn.createStack({
    StackName: name,
    TemplateBody: body,
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(roleArn ? { RoleARN: roleArn } : {}),
  });
  stacks[name] = { id: out.StackId!, events: 0 };
}

export async function outputsOf(cfn: CloudFormation, stack: string) {
  return Object.fromEntries(
    (await cfn.describeStacks({ StackName: stack })).Stacks![0]!.Outputs!.map((o) => [
      o.OutputKey!,
      o.OutputValue!,
    ]),
  );
}

export async function eventsOf(cfn: CloudFormation, stack: string): Promise<number> {
  return (await cfn.describeStackEvents({ StackName: stack })).StackEvents?.length ?? 0;
}

/** Registers the Fargate templates the user registers before importing (the env's first). */
export async function publishFargateTemplates(server: TestServer): Promise<void> {
  await publishFixture(server, {
    kind: 'ENVIRONMENT',
    template: 'fargate-env',
    fixture: 'env-fargate-adopt',
  });
  const svc = await publishFixture(server, {
    kind: 'SERVICE',
    template: 'fargate-svc',
    fixture: 'svc-fargate-adopt',
    compatible: [{ templateName: 'fargate-env', majorVersion: '1' }],
    pipeline: true,
  });
  await sdkClient(server).send(
    new P.UpdateServiceTemplateVersionCommand({
      templateName: 'fargate-svc',
      ...svc,
      supportedComponentSources: ['DIRECTLY_DEFINED'],
    }),
  );
}

/** Creates the Fargate estate's stacks as Proton left them, each deployed with Proton's roles. */
export async function createFargateEstate(
  cfn: CloudFormation,
  stacks: ProtonStacks,
): Promise<void> {
  await createProtonStack(
    cfn,
    stacks,
    FARGATE.environment,
    jinja('env-fargate-adopt/infrastructure/cloudformation.yaml', {
      environment: { name: 'prod', inputs: PROD_INPUTS },
    }),
    {
      'proton:account': '111122223333',
      'proton:template': `${PROTON}:environment-template/fargate-env:1.0`,
      'proton:environment': `${PROTON}:environment/prod`,
    },
    SERVICE_ROLE,
  );
  const prod = { name: 'prod', outputs: await outputsOf(cfn, FARGATE.environment) };
  const frontendOutputs: Record<string, Record<string, string>> = {};
  for (const instance of ['one', 'two'] as const) {
    await createProtonStack(
      cfn,
      stacks,
      FARGATE.instance(instance),
      jinja('svc-fargate-adopt/instance_infrastructure/cloudformation.yaml', {
        service: { name: 'frontend' },
        service_instance: { name: instance, inputs: INSTANCE_INPUTS[instance] },
        environment: prod,
      }),
      {
        'proton:account': '111122223333',
        'proton:template': `${PROTON}:service-template/fargate-svc:1.0`,
        'proton:environment': `${PROTON}:environment/prod`,
        'proton:service': `${PROTON}:service/frontend`,
        'proton:service-instance': `${PROTON}:service/frontend/service-instance/${instance}`,
      },
      SERVICE_ROLE,
    );
    frontendOutputs[instance] = await outputsOf(cfn, FARGATE.instance(instance));
  }
  await createProtonStack(
    cfn,
    stacks,
    FARGATE.pipeline,
    jinja('svc-fargate-adopt/pipeline_infrastructure/cloudformation.yaml', {
      service: {
        name: 'frontend',
        repository_connection_arn: REPOSITORY.repositoryConnectionArn,
        repository_id: REPOSITORY.repositoryId,
        branch_name: REPOSITORY.branchName,
      },
      pipeline: {
        inputs: {
          service_dir: 'frontend',
          dockerfile: 'Dockerfile',
          unit_test_command: 'npm test',
        },
      },
      service_instances: (['one', 'two'] as const).map((i) => ({
        name: i,
        inputs: INSTANCE_INPUTS[i],
        outputs: frontendOutputs[i],
        environment: prod,
      })),
    }),
    {
      'proton:account': '111122223333',
      'proton:template': `${PROTON}:service-template/fargate-svc:1.0`,
      'proton:service': `${PROTON}:service/frontend`,
    },
    SERVICE_ROLE,
  );
  await createProtonStack(
    cfn,
    stacks,
    FARGATE.component,
    jinja(
      { text: COMPONENT_TEMPLATE },
      {
        component: { name: 'frontend-cache' },
        environment: prod,
        service: { name: 'frontend' },
        service_instance: { name: 'one', inputs: INSTANCE_INPUTS.one },
      },
    ),
    {
      'proton:account': '111122223333',
      'proton:environment': `${PROTON}:environment/prod`,
      'proton:service': `${PROTON}:service/frontend`,
      'proton:service-instance': `${PROTON}:service/frontend/service-instance/one`,
      'proton:component': `${PROTON}:component/frontend-cache`,
    },
    COMPONENT_ROLE,
  );
}
