import { sql, type Kysely } from 'kysely';

/**
 * Rollouts react to their deployments ending instead of polling (ADR 0019, "Wakeups"):
 * - `jobs.priority`: claimed highest first, then by `run_at`. A rollout's step (priority 1) no
 *   longer waits behind the deployments it started itself when the workers are busy.
 * - the transaction that ends a deployment finds its rollout by the deployment's id (two indexes)
 *   and moves the rollout's pending step to now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE jobs ADD COLUMN priority smallint NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_at, id)`.execute(db);
  await sql`CREATE INDEX rollout_instances_deployment_idx ON rollout_instances (deployment_id) WHERE deployment_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX rollout_instances_rollback_deployment_idx ON rollout_instances (rollback_deployment_id) WHERE rollback_deployment_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rollout_instances_rollback_deployment_idx').execute();
  await db.schema.dropIndex('rollout_instances_deployment_idx').execute();
  await db.schema.dropIndex('jobs_claim_idx').execute();
  await sql`ALTER TABLE jobs DROP COLUMN priority`.execute(db);
}
