import { describe, expect, test } from 'vitest';
import { classifyAwsError, roleSessionName } from './cloudformation-api.js';
import {
  formatStackEvent,
  isInProgress,
  isNoChangeReason,
  isSuccess,
  Stopper,
} from './cloudformation-watch.js';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('CloudFormation status helpers', () => {
  test.each([
    ['CREATE_IN_PROGRESS', true],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_IN_PROGRESS', true],
    ['REVIEW_IN_PROGRESS', false],
    ['ROLLBACK_COMPLETE', false],
    [undefined, false],
  ])('isInProgress(%s) is %s', (status, expected) => {
    expect(isInProgress(status)).toBe(expected);
  });

  test('only the *_COMPLETE statuses of the operation itself are successes', () => {
    expect(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE'].every(isSuccess)).toBe(true);
    expect(['ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'CREATE_FAILED'].some(isSuccess)).toBe(
      false,
    );
  });

  test('formats an event as one readable log line', () => {
    const line = formatStackEvent({
      Timestamp: new Date('2026-11-27T12:00:00Z'),
      LogicalResourceId: 'Queue',
      ResourceType: 'AWS::SQS::Queue',
      ResourceStatus: 'CREATE_FAILED',
      ResourceStatusReason: 'boom',
      EventId: '1',
      StackId: 's',
      StackName: 'n',
    });
    expect(line).toBe('2026-11-27T12:00:00.000Z Queue AWS::SQS::Queue CREATE_FAILED boom');
  });

  test('recognises both ways CloudFormation says there is nothing to update', () => {
    expect(
      isNoChangeReason(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      ),
    ).toBe(true);
    expect(isNoChangeReason('No updates are to be performed.')).toBe(true);
    expect(isNoChangeReason('Template format error')).toBe(false);
  });
});

describe('classifyAwsError', () => {
  test.each([
    [named('ValidationError', 'Template format error: unsupported structure'), 'TEMPLATE_INVALID'],
    [
      named('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]'),
      'TEMPLATE_INVALID',
    ],
    [
      named('ValidationError', 'Stack:x is in UPDATE_IN_PROGRESS state and can not be updated.'),
      'INTERNAL',
    ],
    [named('AccessDenied', 'not authorized'), 'ENGINE_FAILED'],
    [named('ThrottlingException', 'Rate exceeded'), 'INTERNAL'],
    [new Error('socket hang up'), 'INTERNAL'],
  ])('%s → %s', (error, code) => {
    expect(classifyAwsError(error)).toBe(code);
  });
});

test('role session names are nucleon-<stack>, trimmed to what STS accepts', () => {
  expect(roleSessionName('env-dev')).toBe('nucleon-env-dev');
  expect(roleSessionName('x'.repeat(100))).toHaveLength(64);
});

describe('Stopper', () => {
  test('remembers whether the caller or the timeout stopped it first', async () => {
    const controller = new AbortController();
    const cancelled = new Stopper(controller.signal, 10_000);
    controller.abort();
    expect([cancelled.signal.aborted, cancelled.reason]).toEqual([true, 'CANCELLED']);
    cancelled.dispose();

    const timed = new Stopper(undefined, 5);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve));
    expect(timed.reason).toBe('TIMED_OUT');
    timed.dispose();
  });
});
