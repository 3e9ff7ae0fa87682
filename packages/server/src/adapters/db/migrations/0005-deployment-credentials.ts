import type { Kysely } from 'kysely';

/**
 * Scoped credentials belong to the deployment they were minted for: the transaction that ends
 * the deployment deletes them, so none outlives it (not even across a crash and recovery).
 * Keys minted before this migration have no deployment; they still expire and are purged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_keys').addColumn('deployment_id', 'text').execute();
  await db.schema
    .createIndex('access_keys_deployment_id')
    .on('access_keys')
    .column('deployment_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('access_keys_deployment_id').execute();
  await db.schema.alterTable('access_keys').dropColumn('deployment_id').execute();
}
