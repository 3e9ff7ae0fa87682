import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('keeps polling while the check returns false or undefined, and returns the first value', async () => {
    const answers = [false, undefined, false, 0, 7] as const;
    let calls = 0;
    const v = await waitFor(() => Promise.resolve(answers[calls++]), { intervalMs: 1 });
    expect(v).toBe(0);
    expect(calls).toBe(4);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(() => Promise.reject(new Error('not yet')), {
        timeoutMs: 20,
        intervalMs: 5,
        what: 'x',
      }),
    ).rejects.toThrow('timed out waiting for x: not yet');
  });
});
