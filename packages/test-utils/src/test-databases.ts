import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database kinds every integration suite runs on; NUCLEON_TEST_DIALECTS narrows it. */
export type Dialect = 'pglite' | 'postgres';

export function testDialects(env: NodeJS.ProcessEnv = process.env): Dialect[] {
  const wanted = (env.NUCLEON_TEST_DIALECTS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  return (['pglite', 'postgres'] as const).filter((d) => wanted.includes(d));
}

/** Admin connection used to create a database per test file. */
export const adminUrl = (): string =>
  process.env.NUCLEON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let reachable: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not. */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL is not reachable at ${adminUrl()}: ${(error as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** Creates an empty database for one test file and returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nucleon_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Skips a suite with a clear message when a tool is missing, except under CI=true, where a
 * missing tool is a failure (CI installs everything).
 */
export function requireOrSkip(reason: string | undefined): boolean {
  if (reason === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`required for CI: ${reason}`);
  console.warn(`skipping: ${reason}`);
  return false;
}
