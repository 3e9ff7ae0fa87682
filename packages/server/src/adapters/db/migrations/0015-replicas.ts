import { sql, type Kysely } from 'kysely';

/**
 * Cross-replica state (ADR 0025): console sessions and sign-in failures move from one process's
 * memory into tables, and two triggers announce changes with NOTIFY (delivered at commit):
 * `nucleon_jobs` when jobs are enqueued (workers wake at once instead of at their next poll) and
 * `nucleon_access_keys` with the key id when an access key changes or goes (every replica drops
 * its cached lookup).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    // sha256 of the cookie value: a reader of the database cannot take over a session
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('principal', 'jsonb', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX console_sessions_expiry_idx ON console_sessions (expires_at)`.execute(db);
  await sql`CREATE INDEX console_sessions_key_idx ON console_sessions (access_key_id)`.execute(db);
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`CREATE FUNCTION nucleon_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('nucleon_jobs', ''); RETURN NULL; END $$`.execute(db);
  await sql`CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION nucleon_jobs_notify()`.execute(db);
  await sql`CREATE FUNCTION nucleon_access_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('nucleon_access_keys', OLD.access_key_id); RETURN NULL; END $$`.execute(
    db,
  );
  // Scoped (deployment) credentials are never cached, so their purge announces nothing.
  await sql`CREATE TRIGGER access_keys_notify AFTER UPDATE OR DELETE ON access_keys
    FOR EACH ROW WHEN (OLD.scope_arn IS NULL)
    EXECUTE FUNCTION nucleon_access_keys_notify()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER access_keys_notify ON access_keys`.execute(db);
  await sql`DROP FUNCTION nucleon_access_keys_notify()`.execute(db);
  await sql`DROP TRIGGER jobs_notify ON jobs`.execute(db);
  await sql`DROP FUNCTION nucleon_jobs_notify()`.execute(db);
  await db.schema.dropTable('sign_in_failures').execute();
  await db.schema.dropTable('console_sessions').execute();
}
