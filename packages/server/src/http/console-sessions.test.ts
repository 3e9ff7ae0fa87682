import { describe, expect, test } from 'vitest';
import { ConsoleSessions, SignInLimiter, secretsEqual } from './console-sessions.js';

function fakeClock(start = Date.parse('2026-11-27T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

const admin = { accessKeyId: 'AKIATEST', kind: 'admin' as const };

describe('ConsoleSessions', () => {
  test('a session lives while it is used and ends after the idle time', () => {
    const clock = fakeClock();
    const sessions = new ConsoleSessions({ clock, idleMs: 1000, maxAgeMs: 10_000 });
    const s = sessions.open('AKIATEST', admin);
    clock.advance(900);
    expect(sessions.touch(s.id)).toBe(s);
    clock.advance(900);
    expect(sessions.touch(s.id)).toBe(s);
    clock.advance(1000);
    expect(sessions.touch(s.id)).toBeUndefined();
  });

  test('a session ends at its maximum age even when in use', () => {
    const clock = fakeClock();
    const sessions = new ConsoleSessions({ clock, idleMs: 1000, maxAgeMs: 2500 });
    const s = sessions.open('AKIATEST', admin);
    for (let i = 0; i < 2; i++) {
      clock.advance(900);
      expect(sessions.touch(s.id)).toBeDefined();
    }
    clock.advance(900);
    expect(sessions.touch(s.id)).toBeUndefined();
  });

  test('ids and CSRF tokens are random and distinct; unknown ids find nothing', () => {
    const sessions = new ConsoleSessions({ clock: fakeClock() });
    const a = sessions.open('AKIATEST', admin);
    const b = sessions.open('AKIATEST', admin);
    expect(new Set([a.id, b.id, a.csrfToken, b.csrfToken]).size).toBe(4);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.touch('nope')).toBeUndefined();
    expect(sessions.touch(undefined)).toBeUndefined();
  });

  test('closing all sessions of a key leaves the others', () => {
    const sessions = new ConsoleSessions({ clock: fakeClock() });
    const a = sessions.open('AKIAONE', admin);
    const b = sessions.open('AKIATWO', admin);
    sessions.closeAllOf('AKIAONE');
    expect(sessions.touch(a.id)).toBeUndefined();
    expect(sessions.touch(b.id)).toBe(b);
  });

  test('the oldest sessions make room beyond the limit', () => {
    const sessions = new ConsoleSessions({ clock: fakeClock(), maxSessions: 2 });
    const a = sessions.open('AKIATEST', admin);
    sessions.open('AKIATEST', admin);
    sessions.open('AKIATEST', admin);
    expect(sessions.size).toBe(2);
    expect(sessions.touch(a.id)).toBeUndefined();
  });
});

describe('SignInLimiter', () => {
  test('locks one address out of a key after the maximum failures, for the rest of the window', () => {
    const clock = fakeClock();
    const limiter = new SignInLimiter(clock, 3, 60_000);
    for (let i = 0; i < 3; i++) limiter.fail('AKIATEST', '192.0.2.1');
    expect(limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(60_000);
    expect(limiter.blockedFor('AKIAOTHER', '192.0.2.1')).toBe(0);
    clock.advance(60_000);
    expect(limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(0);
  });

  test('never blocks the same key from another address', () => {
    const limiter = new SignInLimiter(fakeClock(), 3, 60_000, 5);
    for (let i = 0; i < 10; i++) limiter.fail('AKIATEST', '192.0.2.1');
    expect(limiter.blockedFor('AKIATEST', '192.0.2.1')).toBeGreaterThan(0);
    expect(limiter.blockedFor('AKIATEST', '198.51.100.7')).toBe(0);
  });

  test('an address spraying many keys is blocked for every key', () => {
    const limiter = new SignInLimiter(fakeClock(), 3, 60_000, 5);
    for (let i = 0; i < 5; i++) limiter.fail(`AKIAKEY${i}`, '192.0.2.1');
    expect(limiter.blockedFor('AKIANEVERTRIED', '192.0.2.1')).toBe(60_000);
    expect(limiter.blockedFor('AKIANEVERTRIED', '198.51.100.7')).toBe(0);
  });

  test('a successful sign-in clears the failures', () => {
    const limiter = new SignInLimiter(fakeClock(), 2, 60_000);
    limiter.fail('AKIATEST', '192.0.2.1');
    limiter.succeed('AKIATEST', '192.0.2.1');
    limiter.fail('AKIATEST', '192.0.2.1');
    expect(limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(0);
  });
});

test('secretsEqual compares whole secrets of any length', () => {
  expect(secretsEqual('abc', 'abc')).toBe(true);
  expect(secretsEqual('abc', 'abd')).toBe(false);
  expect(secretsEqual('abc', 'abcd')).toBe(false);
  expect(secretsEqual('', 'x')).toBe(false);
});
