import { describe, expect, test } from 'vitest';
import { CloudFormationStackEngine } from '../../src/adapters/engines/cloudformation-stack-engine.js';
import type { StackDeployRequest } from '../../src/ports/stack-engine.js';
import { FakeCloudFormation, validation } from './fake-cloudformation.js';

/**
 * The CloudFormation engine's cancel, timeout, failure and recovery paths, against a scripted
 * fake client: moto_server cannot CancelUpdateStack (it answers HTTP 500) and completes every
 * operation inside the API call, so none of these states can be reached on it. Everything that
 * moto_server can answer is covered for real in cloudformation.test.ts.
 */

function setup(configure: (fake: FakeCloudFormation) => void = () => undefined) {
  const fake = new FakeCloudFormation();
  configure(fake);
  const engine = CloudFormationStackEngine.create({ clientFactory: () => fake, pollIntervalMs: 5 });
  const controller = new AbortController();
  const events: string[] = [];
  /** Aborts as soon as a log line matching `trigger` is streamed. */
  const deploy = (trigger?: RegExp, extra: Partial<StackDeployRequest> = {}) =>
    engine.deploy({
      stackName: 'env',
      templateBody: 'Resources: {}',
      region: 'us-east-1',
      signal: controller.signal,
      onEvent: (line) => {
        events.push(line);
        if (trigger?.test(line)) controller.abort();
      },
      ...extra,
    });
  return { fake, engine, controller, events, deploy };
}

describe('CloudFormationStackEngine cancel and failure paths (fake client)', () => {
  test('cancelling an update calls CancelUpdateStack, waits for the rollback and reports CANCELLED', async () => {
    const { fake, events, deploy } = setup((f) => {
      f.seed('env', 'CREATE_COMPLETE');
      f.onExecute = () => []; // the update runs until something stops it
    });
    const result = await deploy(/ UPDATE_IN_PROGRESS$/);

    expect(result.outcome, result.message).toBe('CANCELLED');
    expect(result.message).toMatch(/was cancelled and rolled back \(UPDATE_ROLLBACK_COMPLETE\)$/);
    expect(fake.calls.filter((c) => c === 'CancelUpdateStack')).toHaveLength(1);
    expect(events).toContain(
      'cancelled: asking CloudFormation to cancel the update (CancelUpdateStack)',
    );
    expect(events).toContainEqual(
      expect.stringMatching(/ env AWS::CloudFormation::Stack UPDATE_ROLLBACK_COMPLETE$/),
    );
  });

  test('an update that outlives its timeout is rolled back and reported TIMED_OUT', async () => {
    const { fake, deploy } = setup((f) => {
      f.seed('env', 'CREATE_COMPLETE');
      f.onExecute = () => [];
    });
    const result = await deploy(undefined, { timeoutMs: 100 });

    expect(result.outcome, result.message).toBe('TIMED_OUT');
    expect(result.message).toMatch(
      /^timed out: the update of stack \S+ was cancelled and rolled back/,
    );
    expect(fake.calls).toContain('CancelUpdateStack');
  });

  test('a cancel that CloudFormation refuses because the update already committed reports the update’s success', async () => {
    const { deploy } = setup((f) => {
      f.seed('env', 'CREATE_COMPLETE');
      f.onExecute = () => [
        { status: 'UPDATE_IN_PROGRESS' },
        { status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' },
        { status: 'UPDATE_COMPLETE' },
      ];
      f.onCancel = () => {
        throw validation('CancelUpdateStack cannot be called from current stack status');
      };
    });
    const result = await deploy(/ UPDATE_IN_PROGRESS$/);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(/the cancel came after the update had committed$/);
    expect(result.outputs).toEqual({ Version: 'v1' });
  });

  test('cancelling a first create deletes the half-created stack', async () => {
    const { fake, deploy } = setup((f) => {
      f.onCreate = () => [];
    });
    const result = await deploy(/ CREATE_IN_PROGRESS$/);

    expect(result.outcome, result.message).toBe('CANCELLED');
    expect(result.message).toMatch(/creation of stack \S+ was stopped and the new stack deleted$/);
    expect(fake.calls).toContain('DeleteStack');
    expect(fake.stack?.StackStatus).toBe('DELETE_COMPLETE');
  });

  test('a failed create reports the first failed resource’s reason, not the rollback summary', async () => {
    const reason = 'Resource handler returned message: "Value 9999 for DelaySeconds is invalid"';
    const { events, deploy } = setup((f) => {
      f.onCreate = () => [
        {
          status: 'CREATE_IN_PROGRESS',
          resource: {
            LogicalResourceId: 'Queue',
            ResourceType: 'AWS::SQS::Queue',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: reason,
          },
        },
        {
          status: 'ROLLBACK_IN_PROGRESS',
          reason:
            'The following resource(s) failed to create: [Queue]. Rollback requested by user.',
        },
        { status: 'ROLLBACK_COMPLETE' },
      ];
    });
    const result = await deploy();

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'ENGINE_FAILED', outputs: {} });
    expect(result.message).toBe(
      `stack env ended in ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) CREATE_FAILED: ${reason}`,
    );
    expect(events).toContain(
      `2026-11-27T12:00:01.000Z Queue AWS::SQS::Queue CREATE_FAILED ${reason}`,
    );
  });

  test('a stack left in ROLLBACK_COMPLETE is deleted before it is created again', async () => {
    const { fake, events, deploy } = setup((f) => f.seed('env', 'ROLLBACK_COMPLETE'));
    const result = await deploy();

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    const mutations = fake.calls.filter((c) => c === 'DeleteStack' || c === 'CreateStack');
    expect(mutations).toEqual(['DeleteStack', 'CreateStack']);
    expect(events).toContain(
      'stack env is in ROLLBACK_COMPLETE; deleting it before creating it again',
    );
  });

  test('a retry first waits for the operation an earlier attempt left running', async () => {
    const { fake, events, deploy } = setup((f) => {
      f.seed('env', 'UPDATE_IN_PROGRESS');
      f.script = [{ status: 'UPDATE_IN_PROGRESS' }, { status: 'UPDATE_COMPLETE' }];
      f.changeSetStatus = {
        Status: 'FAILED',
        StatusReason:
          "The submitted information didn't contain changes. Submit different information to create a change set.",
      };
    });
    const result = await deploy();

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(/already up to date/);
    expect(events[0]).toBe(
      'stack env is busy (UPDATE_IN_PROGRESS); waiting for that to finish first',
    );
    expect(fake.calls).not.toContain('ExecuteChangeSet');
    expect(fake.calls).toContain('DeleteChangeSet');
  });

  test('a stack in UPDATE_ROLLBACK_FAILED is refused with what to do next', async () => {
    const { fake, deploy } = setup((f) => f.seed('env', 'UPDATE_ROLLBACK_FAILED'));
    const result = await deploy();

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'ENGINE_FAILED' });
    expect(result.message).toMatch(
      /is in UPDATE_ROLLBACK_FAILED; continue the rollback \(ContinueUpdateRollback\)/,
    );
    expect(fake.calls).not.toContain('CreateChangeSet');
  });

  test('a change set CloudFormation cannot build fails with its reason and is deleted', async () => {
    const { fake, deploy } = setup((f) => {
      f.seed('env', 'UPDATE_COMPLETE');
      f.changeSetStatus = {
        Status: 'FAILED',
        StatusReason: 'Template error: instance of Fn::GetAtt references undefined resource Nope',
      };
    });
    const result = await deploy();

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'TEMPLATE_INVALID' });
    expect(result.message).toBe(
      'CloudFormation could not create a change set: Template error: instance of Fn::GetAtt references undefined resource Nope',
    );
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('ExecuteChangeSet');
  });

  test('cancelling a destroy stops waiting and says the deletion cannot be undone', async () => {
    const { engine, controller, fake } = setup((f) => {
      f.seed('env', 'CREATE_COMPLETE');
      f.onDelete = () => [{ status: 'DELETE_IN_PROGRESS' }];
    });
    const result = await engine.destroy({
      stackName: 'env',
      region: 'us-east-1',
      signal: controller.signal,
      onEvent: (line) => {
        if (line.endsWith(' DELETE_IN_PROGRESS')) controller.abort();
      },
    });

    expect(result.outcome).toBe('CANCELLED');
    expect(result.message).toMatch(/cannot be undone/);
    expect(fake.calls).toContain('DeleteStack');
  });

  test('a failed delete reports the resource that blocked it', async () => {
    const { engine } = setup((f) => {
      f.seed('env', 'CREATE_COMPLETE');
      f.onDelete = () => [
        {
          status: 'DELETE_IN_PROGRESS',
          resource: {
            LogicalResourceId: 'Bucket',
            ResourceType: 'AWS::S3::Bucket',
            ResourceStatus: 'DELETE_FAILED',
            ResourceStatusReason: 'The bucket you tried to delete is not empty',
          },
        },
        {
          status: 'DELETE_FAILED',
          reason: 'The following resource(s) failed to delete: [Bucket].',
        },
      ];
    });
    const result = await engine.destroy({
      stackName: 'env',
      region: 'us-east-1',
      onEvent: () => undefined,
    });

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'ENGINE_FAILED' });
    expect(result.message).toMatch(
      /ended in DELETE_FAILED: Bucket \(AWS::S3::Bucket\) DELETE_FAILED: The bucket you tried to delete is not empty$/,
    );
  });
});
