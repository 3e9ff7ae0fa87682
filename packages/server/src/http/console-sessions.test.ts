import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { migrateToLatest } from '../adapters/db/database.js';
import { PGliteDialect } from '../adapters/db/pglite-dialect.js';
import {
  PostgresConsoleSessions,
  PostgresSignInThrottle,
} from '../adapters/db/postgres-console-sessions.js';
import type { Database } from '../adapters/db/schema.js';
import type { Clock } from '../ports/clock.js';
import {
  ConsoleSessions,
  SignInLimiter,
  secretsEqual,
  type ConsoleSession,
  type ConsoleSessionStore,
  type SignInThrottle,
} from './console-sessions.js';

function fakeClock(start = Date.parse('2026-11-27T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

const admin = { accessKeyId: 'AKIATEST', kind: 'admin' as const };

// The same rules hold in memory and in the database (PGlite here; PostgreSQL in the replica test).
const kinds = ['memory', 'database'] as const;
let db: Kysely<Database>;
beforeAll(async () => {
  db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create()) });
  await migrateToLatest(db);
}, 60_000);
afterAll(() => db.destroy());

function sessionsOf(
  kind: (typeof kinds)[number],
  o: { clock: Clock; idleMs?: number; maxAgeMs?: number },
): ConsoleSessionStore {
  return kind === 'memory' ? new ConsoleSessions(o) : new PostgresConsoleSessions(db, o.clock, o);
}

function throttleOf(
  kind: (typeof kinds)[number],
  clock: Clock,
  maxPerKey: number,
  windowMs: number,
  maxPerAddress?: number,
): SignInThrottle {
  return kind === 'memory'
    ? new SignInLimiter(clock, maxPerKey, windowMs, maxPerAddress)
    : new PostgresSignInThrottle(db, clock, maxPerKey, windowMs, maxPerAddress);
}

const same = (s: ConsoleSession) => ({
  id: s.id,
  accessKeyId: s.accessKeyId,
  principal: s.principal,
  csrfToken: s.csrfToken,
});

describe.each(kinds)('console sessions (%s)', (kind) => {
  test('a session lives while it is used and ends after the idle time', async () => {
    const clock = fakeClock();
    const sessions = sessionsOf(kind, { clock, idleMs: 1000, maxAgeMs: 10_000 });
    const s = await sessions.open('AKIATEST', admin);
    clock.advance(900);
    expect(await sessions.touch(s.id)).toMatchObject(same(s));
    clock.advance(900);
    expect(await sessions.touch(s.id)).toMatchObject(same(s));
    clock.advance(1000);
    expect(await sessions.touch(s.id)).toBeUndefined();
  });

  test('a session ends at its maximum age even when in use', async () => {
    const clock = fakeClock();
    const sessions = sessionsOf(kind, { clock, idleMs: 1000, maxAgeMs: 2500 });
    const s = await sessions.open('AKIATEST', admin);
    for (let i = 0; i < 2; i++) {
      clock.advance(900);
      expect(await sessions.touch(s.id)).toBeDefined();
    }
    clock.advance(900);
    expect(await sessions.touch(s.id)).toBeUndefined();
  });

  test('ids and CSRF tokens are random and distinct; unknown ids find nothing', async () => {
    const sessions = sessionsOf(kind, { clock: fakeClock() });
    const a = await sessions.open('AKIATEST', admin);
    const b = await sessions.open('AKIATEST', admin);
    expect(new Set([a.id, b.id, a.csrfToken, b.csrfToken]).size).toBe(4);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.touch('nope')).toBeUndefined();
    expect(await sessions.touch(undefined)).toBeUndefined();
  });

  test('closing all sessions of a key leaves the others', async () => {
    const sessions = sessionsOf(kind, { clock: fakeClock() });
    const a = await sessions.open('AKIAONE', admin);
    const b = await sessions.open('AKIATWO', admin);
    await sessions.closeAllOf('AKIAONE');
    expect(await sessions.touch(a.id)).toBeUndefined();
    expect(await sessions.touch(b.id)).toMatchObject(same(b));
  });
});

describe('ConsoleSessions (in memory)', () => {
  test('the oldest sessions make room beyond the limit', async () => {
    const sessions = new ConsoleSessions({ clock: fakeClock(), maxSessions: 2 });
    const a = await sessions.open('AKIATEST', admin);
    await sessions.open('AKIATEST', admin);
    await sessions.open('AKIATEST', admin);
    expect(sessions.size).toBe(2);
    expect(await sessions.touch(a.id)).toBeUndefined();
  });
});

describe.each(kinds)('sign-in limits (%s)', (kind) => {
  beforeEach(async () => {
    await db.deleteFrom('sign_in_failures').execute();
  });

  test('locks one address out of a key after the maximum failures, for the rest of the window', async () => {
    const clock = fakeClock();
    const limiter = throttleOf(kind, clock, 3, 60_000);
    for (let i = 0; i < 3; i++) await limiter.fail('AKIATEST', '192.0.2.1');
    expect(await limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(60_000);
    expect(await limiter.blockedFor('AKIAOTHER', '192.0.2.1')).toBe(0);
    clock.advance(60_000);
    expect(await limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(0);
  });

  test('never blocks the same key from another address', async () => {
    const limiter = throttleOf(kind, fakeClock(), 3, 60_000, 5);
    for (let i = 0; i < 10; i++) await limiter.fail('AKIATEST', '192.0.2.1');
    expect(await limiter.blockedFor('AKIATEST', '192.0.2.1')).toBeGreaterThan(0);
    expect(await limiter.blockedFor('AKIATEST', '198.51.100.7')).toBe(0);
  });

  test('an address spraying many keys is blocked for every key', async () => {
    const limiter = throttleOf(kind, fakeClock(), 3, 60_000, 5);
    for (let i = 0; i < 5; i++) await limiter.fail(`AKIAKEY${i}`, '192.0.2.1');
    expect(await limiter.blockedFor('AKIANEVERTRIED', '192.0.2.1')).toBe(60_000);
    expect(await limiter.blockedFor('AKIANEVERTRIED', '198.51.100.7')).toBe(0);
  });

  test('a successful sign-in clears the failures', async () => {
    const limiter = throttleOf(kind, fakeClock(), 2, 60_000);
    await limiter.fail('AKIATEST', '192.0.2.1');
    await limiter.succeed('AKIATEST', '192.0.2.1');
    await limiter.fail('AKIATEST', '192.0.2.1');
    expect(await limiter.blockedFor('AKIATEST', '192.0.2.1')).toBe(0);
  });
});

test('secretsEqual compares whole secrets of any length', () => {
  expect(secretsEqual('abc', 'abc')).toBe(true);
  expect(secretsEqual('abc', 'abd')).toBe(false);
  expect(secretsEqual('abc', 'abcd')).toBe(false);
  expect(secretsEqual('', 'x')).toBe(false);
});
