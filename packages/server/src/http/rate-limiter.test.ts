import { ThrottlingError } from '@nucleon/core';
import { describe, expect, test } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

function fakeClock(start = Date.parse('2026-12-02T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  test('allows a burst, then throttles until tokens come back at the rate', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ clock, ratePerSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) limiter.take('AKIAONE');
    expect(() => limiter.take('AKIAONE')).toThrow(ThrottlingError);
    expect(() => limiter.take('AKIAONE')).toThrow(/Retry after 500 ms/);
    clock.advance(500);
    limiter.take('AKIAONE');
    expect(() => limiter.take('AKIAONE')).toThrow(ThrottlingError);
  });

  test('keeps one bucket per principal', () => {
    const limiter = new RateLimiter({ clock: fakeClock(), ratePerSecond: 1, burst: 1 });
    limiter.take('AKIAONE');
    expect(() => limiter.take('AKIAONE')).toThrow(ThrottlingError);
    expect(() => limiter.take('AKIATWO')).not.toThrow();
  });

  test('a rate of 0 turns throttling off', () => {
    const limiter = new RateLimiter({ clock: fakeClock(), ratePerSecond: 0, burst: 1 });
    for (let i = 0; i < 1000; i++) limiter.take('AKIAONE');
    expect(limiter.enabled).toBe(false);
  });

  test('a bucket never holds more than the burst', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ clock, ratePerSecond: 100, burst: 2 });
    limiter.take('AKIAONE');
    clock.advance(60_000);
    limiter.take('AKIAONE');
    limiter.take('AKIAONE');
    expect(() => limiter.take('AKIAONE')).toThrow(ThrottlingError);
  });
});
