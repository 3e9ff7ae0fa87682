import type { Kysely } from 'kysely';
import pg from 'pg';
import type { SecretBox } from '../adapters/auth/secret-box.js';
import type { Database } from '../adapters/db/schema.js';

/**
 * What one process runs (ADR 0025): `all-in-one` (`nucleon up`: API, console and worker),
 * `server` (API and console; claims no job) or `worker` (claims jobs and runs engines; serves no
 * HTTP). Servers and workers run as many replicas as wanted on one PostgreSQL.
 */
export type NucleonRole = 'all-in-one' | 'server' | 'worker';

export function roleOf(options: { http?: boolean; worker?: boolean }): NucleonRole {
  if (options.http === false && options.worker === false)
    throw new Error('a Nucleon process must serve HTTP, run the worker, or both');
  if (options.http === false) return 'worker';
  if (options.worker === false) return 'server';
  return 'all-in-one';
}

/** `nucleon server` / `nucleon worker` without DATABASE_URL. */
export class RolesNeedPostgresError extends Error {
  constructor(readonly role: NucleonRole) {
    super(
      `\`nucleon ${role}\` runs next to other Nucleon processes, which cannot share the embedded database (PGlite allows one process only). ` +
        'Set DATABASE_URL (or --database-url) to a PostgreSQL database that every server and worker uses, or run `nucleon up` for a single all-in-one process.',
    );
    this.name = 'RolesNeedPostgresError';
  }
}

/** Any fixed 64-bit number, the same in every Nucleon process: "bootstrapping this database". */
const BOOTSTRAP_LOCK = 0x6e75636c656f6e01n;

/**
 * Runs `work` (migrations, first-start secrets) while holding a PostgreSQL advisory lock, so
 * replicas starting at the same moment take turns instead of racing to create the same rows.
 * The lock lives on a connection of its own (so `work` may use the whole pool). Without a URL
 * (PGlite: one process) there is nobody to wait for.
 */
export async function withBootstrapLock<T>(
  databaseUrl: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!databaseUrl) return work();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [BOOTSTRAP_LOCK.toString()]);
    return await work();
  } finally {
    // Ending the session releases the lock.
    await client.end().catch(() => undefined);
  }
}

/** This process's master key cannot open the secrets another process sealed in the database. */
export class MasterKeyMismatchError extends Error {
  constructor(dataDir: string) {
    super(
      'this process’s master key cannot open the secrets stored in the database: every Nucleon process on one database needs the same master key. ' +
        `Set NUCLEON_MASTER_KEY to the same value in every server and worker (a key generated on first start is in ${dataDir}/master.key of the process that started first), or give them one shared data dir.`,
    );
    this.name = 'MasterKeyMismatchError';
  }
}

/**
 * Fails fast when the master key differs from the one that sealed the stored access keys (a
 * replica started with its own data dir and no NUCLEON_MASTER_KEY), instead of failing every
 * request later. Any one long-lived key serves as the witness.
 */
export async function checkMasterKey(
  db: Kysely<Database>,
  box: SecretBox,
  dataDir: string,
): Promise<void> {
  const row = await db
    .selectFrom('access_keys')
    .select('secret_ciphertext')
    .where('scope_arn', 'is', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  if (!row) return;
  try {
    box.open(row.secret_ciphertext);
  } catch {
    throw new MasterKeyMismatchError(dataDir);
  }
}
