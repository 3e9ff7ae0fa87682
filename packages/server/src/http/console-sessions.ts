import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../app/request-context.js';
import type { Clock } from '../ports/clock.js';

/** A signed-in browser: who it acts as, and the token its state-changing requests must echo. */
export interface ConsoleSession {
  readonly id: string;
  readonly accessKeyId: string;
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface ConsoleSessionsOptions {
  clock: Clock;
  /** A session ends this long after its last request. */
  idleMs?: number;
  /** …and at the latest this long after sign-in. */
  maxAgeMs?: number;
  /** The oldest sessions are dropped beyond this many. */
  maxSessions?: number;
}

const DEFAULT_IDLE_MS = 2 * 60 * 60 * 1000;
const DEFAULT_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** Compares two secrets in time that does not depend on where they differ (or on their lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Where console sessions live. The server keeps them in the database (every replica sees them,
 * ADR 0025); `ConsoleSessions` below keeps them in memory for tests and embedders.
 */
export interface ConsoleSessionStore {
  /** Seconds a new session's cookie may live. */
  readonly cookieMaxAgeSeconds: number;
  open(accessKeyId: string, principal: Principal): Promise<ConsoleSession>;
  /** The live session with this id (and its idle timer restarted), or undefined. */
  touch(id: string | undefined): Promise<ConsoleSession | undefined>;
  /** When the session ends if it stays idle (epoch ms). */
  expiresAt(session: ConsoleSession): number;
  close(id: string | undefined): Promise<void>;
  /** Ends every session of a key (when it turns out to be deleted). */
  closeAllOf(accessKeyId: string): Promise<void>;
}

/** Counts failed console sign-ins per source address; shared by replicas in the database. */
export interface SignInThrottle {
  /** Milliseconds until `address` may try `accessKeyId` again, or 0. */
  blockedFor(accessKeyId: string, address: string): Promise<number>;
  fail(accessKeyId: string, address: string): Promise<void>;
  /** A right secret clears that address's failures for the key (not its failures on others). */
  succeed(accessKeyId: string, address: string): Promise<void>;
}

export const SESSION_IDLE_MS = DEFAULT_IDLE_MS;
export const SESSION_MAX_AGE_MS = DEFAULT_MAX_AGE_MS;

/**
 * Console sessions held in this process's memory (tests, embedders): they do not survive a
 * restart and are not shared between replicas. The session id (the cookie) is random and never
 * derived from the access key's secret.
 */
export class ConsoleSessions implements ConsoleSessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: ConsoleSessionsOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  /** Seconds a new session's cookie may live. */
  get cookieMaxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  open(accessKeyId: string, principal: Principal): Promise<ConsoleSession> {
    const now = this.now();
    this.sweep(now);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      accessKeyId,
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    this.sessions.set(session.id, session);
    return Promise.resolve(session);
  }

  /** The live session with this id (and its idle timer restarted), or undefined. */
  touch(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id) return Promise.resolve(undefined);
    const session = this.sessions.get(id);
    if (!session) return Promise.resolve(undefined);
    const now = this.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return Promise.resolve(undefined);
    }
    session.lastSeenAt = now;
    return Promise.resolve(session);
  }

  /** When the session ends if it stays idle (epoch ms). */
  expiresAt(session: ConsoleSession): number {
    return Math.min(session.lastSeenAt + this.idleMs, session.createdAt + this.maxAgeMs);
  }

  close(id: string | undefined): Promise<void> {
    if (id) this.sessions.delete(id);
    return Promise.resolve();
  }

  closeAllOf(accessKeyId: string): Promise<void> {
    for (const [id, s] of this.sessions)
      if (s.accessKeyId === accessKeyId) this.sessions.delete(id);
    return Promise.resolve();
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(session: ConsoleSession, now: number): boolean {
    return now >= this.expiresAt(session);
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }
}

/**
 * Refuses console sign-ins from a source address that keeps sending wrong secrets: after
 * `maxPerKey` failures for one key, that address may not try that key again for the rest of the
 * window; after `maxPerAddress` failures across keys, it may not try any. Failures are counted
 * per address, so a correct secret from another address is never refused: guessing from one
 * place cannot lock a key's owner out (the signed API is unaffected either way).
 */
export class SignInLimiter implements SignInThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxPerKey = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly maxPerAddress = 50,
  ) {}

  blockedFor(accessKeyId: string, address: string): Promise<number> {
    return Promise.resolve(
      Math.max(
        this.wait(`key\n${address}\n${accessKeyId}`, this.maxPerKey),
        this.wait(`addr\n${address}`, this.maxPerAddress),
      ),
    );
  }

  fail(accessKeyId: string, address: string): Promise<void> {
    this.count(`key\n${address}\n${accessKeyId}`);
    this.count(`addr\n${address}`);
    return Promise.resolve();
  }

  succeed(accessKeyId: string, address: string): Promise<void> {
    this.failures.delete(`key\n${address}\n${accessKeyId}`);
    return Promise.resolve();
  }

  private wait(id: string, max: number): number {
    const f = this.failures.get(id);
    if (!f) return 0;
    const left = f.since + this.windowMs - this.clock.now().getTime();
    if (left <= 0) {
      this.failures.delete(id);
      return 0;
    }
    return f.count >= max ? left : 0;
  }

  private count(id: string): void {
    const now = this.clock.now().getTime();
    const f = this.failures.get(id);
    if (!f || now - f.since >= this.windowMs) {
      if (this.failures.size > 100_000) this.failures.clear();
      this.failures.set(id, { count: 1, since: now });
    } else f.count++;
  }
}
