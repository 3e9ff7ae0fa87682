import { existsSync, mkdirSync } from 'node:fs';
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type LogEvent,
  type MigrationResultSet,
} from 'kysely';
import pg from 'pg';
import {
  PGliteNotifications,
  PgNotifications,
  type Notifications,
} from './database-notifications.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import { preparingPool } from './prepared-statements.js';
import type { Database } from './schema.js';

// int8 (bigserial ids, count(*)) as JS numbers on pg, as PGlite already does.
pg.types.setTypeParser(20, (v) => Number(v));

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** LISTEN/NOTIFY on this database (a dedicated connection on PostgreSQL). */
  readonly notifications: Notifications;
  /** The PostgreSQL pool's connections (for /metrics); undefined on PGlite. */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

/** Opens PostgreSQL when a URL is given, otherwise PGlite in `<dataDir>/pgdata`. */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** A connection failed (the server restarted, the network dropped): logged, never fatal. */
  onConnectionError?: (error: Error) => void;
  /** Sees the SQL text of every query (tests prove what list paths read with it). */
  onQuery?: ((sql: string) => void) | undefined;
}): Promise<DatabaseHandle> {
  const onQuery = options.onQuery;
  const log = onQuery ? { log: (event: LogEvent) => onQuery(event.query.sql) } : {};
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // An unreachable server fails requests after this long instead of holding them forever.
      connectionTimeoutMillis: 15_000,
      keepAlive: true,
    });
    // Without these listeners a dropped connection is an 'error' event nobody handles, which
    // ends the process. The pool reports idle clients; a client in use also reports through
    // the query it is running, so its own listener only has to exist. The pool replaces broken
    // clients on the next checkout, so work resumes by itself when the server is back.
    pool.on('error', (error) => options.onConnectionError?.(error));
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: preparingPool(pool) }),
      ...log,
    });
    const notifications = new PgNotifications(options.databaseUrl, (error) =>
      options.onConnectionError?.(error),
    );
    const max = options.poolSize ?? 10;
    return {
      db,
      kind: 'postgres',
      notifications,
      poolStats: () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max,
      }),
      close: async () => {
        await notifications.close();
        await db.destroy();
      },
    };
  }
  const dir = join(options.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existed = existsSync(join(dir, 'PG_VERSION'));
  const pglite = await PGlite.create(dir);
  // PGlite unpacks its initial cluster with mode 0666 whatever the umask; files it makes later
  // follow the umask. Nothing of the database may be readable by other users: every file is made
  // private when the cluster is created here. On later starts its directory alone is checked
  // (0700 keeps other users out of everything below it), which spares each warm start a walk
  // over the cluster's ~1,000 files.
  if (existed) await makePrivateDir(dir);
  else await makePrivate(dir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), ...log });
  const notifications = new PGliteNotifications(pglite);
  return {
    db,
    kind: 'pglite',
    notifications,
    close: async () => {
      await notifications.close();
      await db.destroy();
      await pglite.close();
    },
  };
}

async function makePrivateDir(path: string): Promise<void> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) await chmod(path, info.mode & 0o700);
}

async function makePrivate(path: string): Promise<void> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) await chmod(path, info.mode & 0o700);
  if (!info.isDirectory()) return;
  for (const name of await readdir(path)) await makePrivate(join(path, name));
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'nucleon_migrations',
    migrationLockTableName: 'nucleon_migrations_lock',
  });
}

function check(result: MigrationResultSet): void {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`,
    );
  }
}

/**
 * True when the database has run exactly the migrations this build knows — one query, which
 * spares every warm start the migrator's schema introspection and locking. Anything else
 * (a new build, no table yet) leaves the answer to the migrator.
 */
async function upToDate(db: Kysely<Database>): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from nucleon_migrations`.execute(db);
    const known = Object.keys(migrations).sort();
    const ran = rows.map((r) => r.name).sort();
    return ran.length === known.length && ran.every((name, i) => name === known[i]);
  } catch {
    return false;
  }
}

/** Brings the schema to the latest migration. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  if (await upToDate(db)) return;
  check(await migrator(db).migrateToLatest());
}

/** Brings an empty schema to exactly `name` (a restore loads rows into the schema they came from). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  check(await migrator(db).migrateTo(name));
}

/** The names of this code's migrations, in order. */
export const knownMigrations = (): string[] => Object.keys(migrations);

/** This code's migrations the database has not applied (empty: the schema is current). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const applied = new Set(
    (await migrator(db).getMigrations()).filter((m) => m.executedAt).map((m) => m.name),
  );
  return Object.keys(migrations).filter((name) => !applied.has(name));
}

/** Rolls every migration back (used by the migration tests). */
export async function migrateDownAll(db: Kysely<Database>): Promise<void> {
  const m = migrator(db);
  for (let i = 0; i < Object.keys(migrations).length; i++) check(await m.migrateDown());
}
