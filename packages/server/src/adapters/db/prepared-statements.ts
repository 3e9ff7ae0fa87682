import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Statements run as named prepared statements on PostgreSQL, by SQL text (ADR 0024): the hot
 * reads, whose planning costs PostgreSQL more than running them. PostgreSQL plans a named
 * statement once per connection (then reuses the plan) instead of on every call. (On PGlite
 * every parameterized statement outside a transaction is prepared; see pglite-dialect.ts.)
 */
const named = new Map<string, string>();

/** Declares `sql` a prepared statement named `name`; returns the SQL text unchanged. */
export function prepared(name: string, sql: string): string {
  named.set(sql, `nucleon_${name}`);
  return sql;
}

/** A statement whose cached plan went stale (a changed result type, a dropped statement). */
const STALE_STATEMENT = new Set(['0A000', '26000']);

/**
 * The pg pool as Kysely sees it, with declared statements sent by name. A connection on which a
 * prepared statement went stale is destroyed when released, so the next one prepares it anew.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    end: () => pool.end(),
    connect: async () => {
      const client = await pool.connect();
      let stale = false;
      const adapted = {
        query(sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>) {
          if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
          const name = named.get(sqlOrCursor);
          if (!name) return client.query(sqlOrCursor, parameters as unknown[]);
          return client
            .query({ name, text: sqlOrCursor, values: parameters as unknown[] })
            .catch((error: unknown) => {
              if (STALE_STATEMENT.has((error as { code?: string }).code ?? '')) stale = true;
              throw error;
            });
        },
        release: (destroy?: boolean) => client.release(destroy === true || stale),
      };
      return adapted as unknown as PostgresPoolClient;
    },
  };
}
