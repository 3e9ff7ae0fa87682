import { describe, expect, test } from 'vitest';
import { CloudFormationStackEngine } from '../../src/adapters/engines/cloudformation-stack-engine.js';
import { JobInterruptedError } from '../../src/ports/job-queue.js';
import { FakeCloudFormation } from './fake-cloudformation.js';

/**
 * A worker that gives a job up (lost lease, graceful stop) aborts the engine with a
 * JobInterruptedError: the engine must leave the stack alone (no rollback, no delete), and the
 * job's next attempt must take the running operation over. The fake holds a stack in
 * `_IN_PROGRESS`, which moto_server never does (it completes every operation inside the call).
 */

const NO_CHANGES = {
  Status: 'FAILED' as const,
  StatusReason:
    "The submitted information didn't contain changes. Submit different information to create a change set.",
};

/** One attempt of the job: a fresh signal, aborted with `interruption` when `trigger` is logged. */
function attempt(
  engine: CloudFormationStackEngine,
  trigger?: RegExp,
  interruption: Error = new JobInterruptedError('lease-lost'),
) {
  const controller = new AbortController();
  const events: string[] = [];
  const result = engine.deploy({
    stackName: 'env',
    templateBody: 'Resources: {}',
    region: 'us-east-1',
    signal: controller.signal,
    onEvent: (line) => {
      events.push(line);
      if (trigger?.test(line)) controller.abort(interruption);
    },
  });
  return { result, events };
}

describe('CloudFormationStackEngine interrupted by the worker (fake client)', () => {
  test('a create interrupted by a lost lease is left running, and the next attempt waits for it and uses its result', async () => {
    const fake = new FakeCloudFormation();
    fake.onCreate = () => []; // the create runs on until the next attempt looks again
    const engine = CloudFormationStackEngine.create({
      clientFactory: () => fake,
      pollIntervalMs: 5,
    });

    const first = attempt(engine, / CREATE_IN_PROGRESS$/);
    const interrupted = await first.result;
    expect(interrupted.message).toMatch(/^interrupted: the creation of stack \S+ was left running/);
    expect(fake.calls).not.toContain('DeleteStack');
    expect(fake.stack?.StackStatus).toBe('CREATE_IN_PROGRESS');

    // CloudFormation finishes the create while the next attempt waits for it.
    fake.calls.length = 0;
    fake.script = [{ status: 'CREATE_IN_PROGRESS' }, { status: 'CREATE_COMPLETE' }];
    fake.changeSetStatus = NO_CHANGES;
    const second = attempt(engine);
    const result = await second.result;

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.outputs).toEqual({ Version: 'v1' });
    expect(second.events[0]).toBe(
      'stack env is busy (CREATE_IN_PROGRESS); waiting for that to finish first',
    );
    for (const call of ['CreateStack', 'DeleteStack', 'ExecuteChangeSet', 'CancelUpdateStack']) {
      expect(fake.calls).not.toContain(call);
    }
  });

  test('an update interrupted by a graceful stop is not rolled back, and the next attempt reports the update’s result', async () => {
    const fake = new FakeCloudFormation();
    fake.seed('env', 'CREATE_COMPLETE');
    fake.onExecute = () => [];
    const engine = CloudFormationStackEngine.create({
      clientFactory: () => fake,
      pollIntervalMs: 5,
    });

    const first = attempt(engine, / UPDATE_IN_PROGRESS$/, new JobInterruptedError('stopping'));
    const interrupted = await first.result;
    expect(interrupted.message).toMatch(/^interrupted: the update of stack \S+ was left running/);
    expect(fake.calls).not.toContain('CancelUpdateStack');
    expect(fake.stack?.StackStatus).toBe('UPDATE_IN_PROGRESS');

    fake.calls.length = 0;
    fake.script = [
      { status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' },
      { status: 'UPDATE_COMPLETE' },
    ];
    fake.changeSetStatus = NO_CHANGES;
    const result = await attempt(engine).result;

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.message).toMatch(/already up to date/);
    expect(fake.stack?.StackStatus).toBe('UPDATE_COMPLETE');
    for (const call of ['ExecuteChangeSet', 'CancelUpdateStack', 'DeleteStack']) {
      expect(fake.calls).not.toContain(call);
    }
  });

  test('a user’s cancel (any other abort reason) still rolls the update back', async () => {
    const fake = new FakeCloudFormation();
    fake.seed('env', 'CREATE_COMPLETE');
    fake.onExecute = () => [];
    const engine = CloudFormationStackEngine.create({
      clientFactory: () => fake,
      pollIntervalMs: 5,
    });

    const result = await attempt(engine, / UPDATE_IN_PROGRESS$/, new Error('user cancel')).result;
    expect(result.outcome, result.message).toBe('CANCELLED');
    expect(fake.calls).toContain('CancelUpdateStack');
    expect(fake.stack?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  });
});
