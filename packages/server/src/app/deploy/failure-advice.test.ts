import { describe, expect, it } from 'vitest';
import { failureMessage } from './failure-advice.js';

describe('failureMessage', () => {
  it.each([
    ['TEMPLATE_INVALID', /fix the template/],
    ['ENGINE_FAILED', /deployment log has its events/],
    ['INTERNAL', /redeploying is safe/],
  ] as const)('tells the user what to do about %s', (errorCode, advice) => {
    expect(failureMessage({ message: 'stack x failed', errorCode })).toMatch(
      new RegExp(`^stack x failed\\. .*${advice.source}`),
    );
  });
  it('keeps a message without an error code as it is', () => {
    expect(failureMessage({ message: 'command[1] of 2 failed' })).toBe('command[1] of 2 failed');
  });
});
