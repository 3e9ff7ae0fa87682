import { CloudFormation } from '@aws-sdk/client-cloudformation';
import { STS } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudFormationStackEngine } from '../../src/adapters/engines/cloudformation-stack-engine.js';
import type { StackDeployRequest } from '../../src/ports/stack-engine.js';
import { findExecutable, startMotoServer, type MotoServer } from './helpers.js';

/**
 * CloudFormationStackEngine against a real moto_server (moto 5.2.1 ships with the project's
 * image). moto_server cannot CancelUpdateStack (HTTP 500), and finishes every operation inside
 * the API call, so cancel, timeout and failed-resource paths live in cloudformation-fake.test.ts.
 */

const moto = findExecutable('moto_server');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

if (moto === undefined) {
  if (process.env.CI === 'true') {
    test('moto_server must be on PATH under CI', () => {
      throw new Error(
        'moto_server was not found on PATH but CI=true: the documented image ships moto 5.2.1 ' +
          '(pyenv Python); CloudFormation engine tests must not be skipped in CI',
      );
    });
  } else {
    console.warn('skipping CloudFormation engine tests: moto_server is not on PATH');
  }
}

const TEMPLATE = `
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  BucketName:
    Value: !Ref Bucket
  QueueArn:
    Value: !GetAtt Queue.Arn
`;

const TEMPLATE_V2 = `
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
  DeadLetterQueue:
    Type: AWS::SQS::Queue
Outputs:
  BucketName:
    Value: !Ref Bucket
  QueueArn:
    Value: !GetAtt Queue.Arn
  DeadLetterQueueArn:
    Value: !GetAtt DeadLetterQueue.Arn
`;

describe.skipIf(moto === undefined)('CloudFormationStackEngine against moto_server', () => {
  let server: MotoServer;
  let engine: CloudFormationStackEngine;
  let cfn: CloudFormation;

  beforeAll(async () => {
    server = await startMotoServer(moto ?? 'moto_server');
    engine = CloudFormationStackEngine.create({
      endpoint: server.endpoint,
      stsEndpoint: server.endpoint,
      credentials,
      pollIntervalMs: 50,
    });
    cfn = new CloudFormation({ region, endpoint: server.endpoint, credentials });
  });

  afterAll(async () => {
    await server?.stop();
  });

  function request(
    stackName: string,
    templateBody: string,
    extra: Partial<StackDeployRequest> = {},
  ) {
    const events: string[] = [];
    const req: StackDeployRequest = {
      stackName,
      templateBody,
      region,
      onEvent: (line) => events.push(line),
      ...extra,
    };
    return { req, events };
  }

  test('creates a stack, streams its events and returns outputs and provisioned resources', async () => {
    const { req, events } = request('env-create', TEMPLATE, {
      tags: { 'proton:environment': 'dev' },
    });
    const result = await engine.deploy(req);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(
      /^stack arn:aws:cloudformation:us-east-1:\d+:stack\/env-create\/\S+ CREATE_COMPLETE$/,
    );
    expect(result.outputs.BucketName).toMatch(/^env-create-bucket-/);
    expect(result.outputs.QueueArn).toMatch(/^arn:aws:sqs:us-east-1:\d+:env-create-Queue-/);
    // As Proton's provisioned stacks: the stack itself, by name and ARN.
    const stackId = (await cfn.describeStacks({ StackName: 'env-create' })).Stacks?.[0]?.StackId;
    expect(stackId).toMatch(/^arn:aws:cloudformation:us-east-1:\d+:stack\/env-create\//);
    expect(result.provisionedResources).toEqual([
      { name: 'env-create', identifier: stackId, provisioningEngine: 'CLOUDFORMATION' },
    ]);
    expect(events).toContainEqual(
      expect.stringMatching(
        /^\d{4}-\d\d-\d\dT\S+Z env-create AWS::CloudFormation::Stack CREATE_COMPLETE$/,
      ),
    );
    const described = await cfn.describeStacks({ StackName: 'env-create' });
    expect(described.Stacks?.[0]?.Tags).toEqual([{ Key: 'proton:environment', Value: 'dev' }]);
  });

  test('updates an existing stack through a change set and streams only the new events', async () => {
    await engine.deploy(request('env-update', TEMPLATE).req);
    const { req, events } = request('env-update', TEMPLATE_V2);
    const result = await engine.deploy(req);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(/UPDATE_COMPLETE$/);
    // moto 5.2.1 does not refresh Outputs on ExecuteChangeSet (UpdateStack does; real
    // CloudFormation does both), so check that the engine reports what DescribeStacks says.
    const described = await cfn.describeStacks({ StackName: 'env-update' });
    const outputs = Object.fromEntries(
      (described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue] as const),
    );
    expect(result.outputs).toEqual(outputs);
    expect(result.provisionedResources).toEqual([
      {
        name: 'env-update',
        identifier: described.Stacks?.[0]?.StackId,
        provisioningEngine: 'CLOUDFORMATION',
      },
    ]);
    expect(
      events.some(
        (line) => line.includes('updating stack') && line.includes('change set nucleon-'),
      ),
    ).toBe(true);
    expect(events).toContainEqual(
      expect.stringMatching(/ env-update AWS::CloudFormation::Stack UPDATE_COMPLETE$/),
    );
    expect(events.some((line) => line.includes('CREATE_'))).toBe(false);
  });

  test('treats an update without changes as success and returns the current outputs', async () => {
    const first = await engine.deploy(request('env-same', TEMPLATE).req);
    const { req, events } = request('env-same', TEMPLATE);
    const again = await engine.deploy(req);

    expect(again.outcome, again.message).toBe('SUCCEEDED');
    expect(again.message).toMatch(/already up to date/);
    expect(again.outputs).toEqual(first.outputs);
    expect(events.join('\n')).toMatch(/didn't contain changes/);
    const stack = await cfn.describeStacks({ StackName: 'env-same' });
    expect(stack.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });

  test('fails with CloudFormation’s reason when CreateStack rejects the template', async () => {
    const template = `Parameters:\n  VpcCidr:\n    Type: String\n${TEMPLATE}`;
    const result = await engine.deploy(request('env-rejected', template).req);

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'TEMPLATE_INVALID', outputs: {} });
    expect(result.message).toBe(
      'CloudFormation rejected CreateStack: ValidationError: Missing parameter VpcCidr',
    );
  });

  test('assumes the given role through STS and provisions with its credentials', async () => {
    const roleArn = 'arn:aws:iam::111111111111:role/nucleon-deployer';
    const { req, events } = request('env-assumed', TEMPLATE, { roleArn });
    const result = await engine.deploy(req);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(events[0]).toBe(`assumed role ${roleArn} as session nucleon-env-assumed`);
    // moto puts the stack in the role's account: it is invisible to the base credentials.
    expect(result.message).toContain(':111111111111:stack/env-assumed/');
    expect(result.outputs.QueueArn).toContain(':111111111111:');
    await expect(cfn.describeStacks({ StackName: 'env-assumed' })).rejects.toThrow(
      /does not exist/,
    );

    const destroyed = await engine.destroy({
      stackName: 'env-assumed',
      roleArn,
      region,
      onEvent: () => undefined,
    });
    expect(destroyed.outcome, destroyed.message).toBe('SUCCEEDED');
  });

  test('uses the session name nucleon-<stack> for the assumed role', async () => {
    const sts = new STS({ region, endpoint: server.endpoint, credentials });
    let seen: unknown;
    const spy = CloudFormationStackEngine.create({
      endpoint: server.endpoint,
      credentials,
      pollIntervalMs: 50,
      stsClientFactory: () => ({
        assumeRole: (input) => {
          seen = input;
          return sts.assumeRole(input);
        },
      }),
    });
    const roleArn = 'arn:aws:iam::222222222222:role/deployer';
    const result = await spy.deploy(request('env-session', TEMPLATE, { roleArn }).req);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(seen).toMatchObject({
      RoleArn: roleArn,
      RoleSessionName: 'nucleon-env-session',
      DurationSeconds: 3600,
    });
  });

  test('reports a refused AssumeRole as a failure naming the role', async () => {
    const refusing = CloudFormationStackEngine.create({
      endpoint: server.endpoint,
      credentials,
      stsClientFactory: () => ({
        assumeRole: () =>
          Promise.reject(
            Object.assign(new Error('not authorized to assume'), { name: 'AccessDenied' }),
          ),
      }),
    });
    const roleArn = 'arn:aws:iam::111111111111:role/locked';
    const result = await refusing.deploy(request('env-refused', TEMPLATE, { roleArn }).req);

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'ENGINE_FAILED' });
    expect(result.message).toBe(
      `could not assume role ${roleArn}: AccessDenied: not authorized to assume`,
    );
  });

  test('destroys a stack and treats an absent stack as already destroyed', async () => {
    await engine.deploy(request('env-destroy', TEMPLATE).req);
    const events: string[] = [];
    const result = await engine.destroy({
      stackName: 'env-destroy',
      region,
      onEvent: (l) => events.push(l),
    });

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(/^stack arn:\S+ deleted$/);
    expect(events).toContainEqual(
      expect.stringMatching(/ env-destroy AWS::CloudFormation::Stack DELETE_COMPLETE$/),
    );
    await expect(cfn.describeStacks({ StackName: 'env-destroy' })).rejects.toThrow(
      /does not exist/,
    );

    const again = await engine.destroy({
      stackName: 'env-destroy',
      region,
      onEvent: () => undefined,
    });
    expect(again).toEqual({
      outcome: 'SUCCEEDED',
      message: 'stack env-destroy does not exist; nothing to delete',
      outputs: {},
      provisionedResources: [],
    });
  });

  test('sends nothing to CloudFormation when cancelled before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await engine.deploy(
      request('env-never', TEMPLATE, { signal: controller.signal }).req,
    );

    expect(result.outcome).toBe('CANCELLED');
    await expect(cfn.describeStacks({ StackName: 'env-never' })).rejects.toThrow(/does not exist/);
  });
});
