import { sql, type Kysely } from 'kysely';

/**
 * ListDeployments reads its pages in SQL, newest first (ADR 0022): an index in that order lets a
 * page stop after `maxResults + 1` rows instead of sorting every deployment. Environments,
 * services and templates page along their primary keys and need no index of their own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX deployments_newest_idx ON deployments (created_at DESC, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deployments_newest_idx').execute();
}
