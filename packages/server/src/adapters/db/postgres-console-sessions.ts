import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Principal } from '../../app/request-context.js';
import {
  SESSION_IDLE_MS,
  SESSION_MAX_AGE_MS,
  type ConsoleSession,
  type ConsoleSessionStore,
  type SignInThrottle,
} from '../../http/console-sessions.js';
import type { Clock } from '../../ports/clock.js';
import type { Database } from './schema.js';

const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('base64url');

interface SessionRow {
  access_key_id: string;
  principal: Record<string, unknown> | string;
  csrf_token: string;
  created_at: Date | string;
  last_seen_at: Date | string;
}

/**
 * Console sessions in the database (ADR 0025): a session opened on one replica works on every
 * other, and survives restarts. The table holds a hash of the cookie, never the cookie itself.
 * Times come from the clock (not the database's now()) so tests can move them.
 */
export class PostgresConsoleSessions implements ConsoleSessionStore {
  private readonly idleMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    options: { idleMs?: number; maxAgeMs?: number } = {},
  ) {
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.maxAgeMs = options.maxAgeMs ?? SESSION_MAX_AGE_MS;
  }

  get cookieMaxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  expiresAt(session: ConsoleSession): number {
    return Math.min(session.lastSeenAt + this.idleMs, session.createdAt + this.maxAgeMs);
  }

  async open(accessKeyId: string, principal: Principal): Promise<ConsoleSession> {
    const now = this.clock.now().getTime();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      accessKeyId,
      principal,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.db.deleteFrom('console_sessions').where('expires_at', '<=', new Date(now)).execute();
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: hashOf(session.id),
        access_key_id: accessKeyId,
        principal: JSON.stringify(principal),
        csrf_token: session.csrfToken,
        created_at: new Date(now),
        last_seen_at: new Date(now),
        expires_at: new Date(this.expiresAt(session)),
      })
      .execute();
    return session;
  }

  async touch(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (!id) return undefined;
    const now = new Date(this.clock.now().getTime());
    const result = await sql<SessionRow>`
      update console_sessions set last_seen_at = ${now},
        expires_at = least(${now}::timestamptz + ${`${this.idleMs} milliseconds`}::interval,
                           created_at + ${`${this.maxAgeMs} milliseconds`}::interval)
      where id_hash = ${hashOf(id)} and expires_at > ${now}
      returning access_key_id, principal, csrf_token, created_at, last_seen_at`.execute(this.db);
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      id,
      accessKeyId: row.access_key_id,
      principal: (typeof row.principal === 'string'
        ? JSON.parse(row.principal)
        : row.principal) as unknown as Principal,
      csrfToken: row.csrf_token,
      createdAt: new Date(row.created_at).getTime(),
      lastSeenAt: new Date(row.last_seen_at).getTime(),
    };
  }

  async close(id: string | undefined): Promise<void> {
    if (id)
      await this.db.deleteFrom('console_sessions').where('id_hash', '=', hashOf(id)).execute();
  }

  async closeAllOf(accessKeyId: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('access_key_id', '=', accessKeyId).execute();
  }
}

/**
 * Failed console sign-ins counted in the database, so the limits hold across replicas (a guesser
 * spreading tries over several servers behind a load balancer is counted once). Same rules as the
 * in-memory `SignInLimiter`.
 */
export class PostgresSignInThrottle implements SignInThrottle {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly maxPerKey = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly maxPerAddress = 50,
  ) {}

  async blockedFor(accessKeyId: string, address: string): Promise<number> {
    const now = this.clock.now().getTime();
    const rows = await this.db
      .selectFrom('sign_in_failures')
      .select(['key', 'count', 'since'])
      .where('key', 'in', [keyOf(accessKeyId, address), addressOf(address)])
      .execute();
    let wait = 0;
    for (const r of rows) {
      const left = new Date(r.since).getTime() + this.windowMs - now;
      const max = r.key.startsWith('addr\n') ? this.maxPerAddress : this.maxPerKey;
      if (left > 0 && r.count >= max) wait = Math.max(wait, left);
    }
    return wait;
  }

  async fail(accessKeyId: string, address: string): Promise<void> {
    const now = new Date(this.clock.now().getTime());
    const windowStart = new Date(now.getTime() - this.windowMs);
    for (const key of [keyOf(accessKeyId, address), addressOf(address)]) {
      // A failure after the window starts a new count.
      await sql`
        insert into sign_in_failures (key, count, since) values (${key}, 1, ${now})
        on conflict (key) do update set
          count = case when sign_in_failures.since <= ${windowStart} then 1
                       else sign_in_failures.count + 1 end,
          since = case when sign_in_failures.since <= ${windowStart} then ${now}
                       else sign_in_failures.since end`.execute(this.db);
    }
    await this.db.deleteFrom('sign_in_failures').where('since', '<=', windowStart).execute();
  }

  async succeed(accessKeyId: string, address: string): Promise<void> {
    await this.db
      .deleteFrom('sign_in_failures')
      .where('key', '=', keyOf(accessKeyId, address))
      .execute();
  }
}

const keyOf = (accessKeyId: string, address: string) => `key\n${address}\n${accessKeyId}`;
const addressOf = (address: string) => `addr\n${address}`;
