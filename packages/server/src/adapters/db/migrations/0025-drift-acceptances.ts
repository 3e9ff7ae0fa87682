import { sql, type Kysely } from 'kysely';

/**
 * Accepted drift (ADR 0023, "Accepting drift"): one row per resource whose observed drift an
 * operator accepted. The acceptance holds while the drift report observes the same fingerprint
 * and the resource's last successful deployment is still the one it was accepted against, so a
 * later successful deployment (which converges the resource) ends it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('drift_acceptances')
    .addColumn('resource_arn', 'text', (c) =>
      c.primaryKey().references('resources.arn').onDelete('cascade'),
    )
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('drift_acceptances').execute();
}
