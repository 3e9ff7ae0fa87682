import { sql, type Kysely } from 'kysely';

/**
 * Rollouts (ADR 0019): a rollout moves a set of service instances to one template version in
 * waves. Its state lives here and is driven by `rollout` jobs; nothing lives in a worker's memory.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('template_kind', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('target_major', 'integer', (c) => c.notNull())
    .addColumn('target_minor', 'integer', (c) => c.notNull())
    // IN_PROGRESS | PAUSED | SUCCEEDED | FAILED | ROLLED_BACK | ABORTED (core's RolloutStatus)
    .addColumn('status', 'text', (c) => c.notNull())
    // DEPLOYING | BAKING | ROLLING_BACK | DONE
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('current_wave', 'integer', (c) => c.notNull())
    .addColumn('wave_count', 'integer', (c) => c.notNull())
    .addColumn('bake_until', 'timestamptz')
    // maxInFlight, bakeSeconds, failureThreshold, autoRollback, rollbackScope, selector, waves, previewHash…
    .addColumn('options', 'jsonb', (c) => c.notNull())
    // Bumped by every step and every pause/resume/abort: a tick job carrying an older value is stale.
    .addColumn('tick_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('client_token', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('rollouts_created_idx')
    .on('rollouts')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createTable('rollout_instances')
    .addColumn('rollout_id', 'text', (c) =>
      c.notNull().references('rollouts.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('wave', 'integer', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('instance_name', 'text', (c) => c.notNull())
    .addColumn('environment_name', 'text', (c) => c.notNull())
    // core's RolloutInstanceState
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('deployment_id', 'text')
    .addColumn('rollback_deployment_id', 'text')
    // What the instance was before the rollout deployed it: what a rollback deploys again.
    .addColumn('from_major', 'integer')
    .addColumn('from_minor', 'integer')
    .addColumn('from_spec', 'text')
    .addColumn('from_settings', 'jsonb')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollout_instances_pk', ['rollout_id', 'position'])
    .execute();
  await sql`create index rollout_instances_active_idx on rollout_instances (service_name, instance_name) where state in ('PENDING','IN_PROGRESS','ROLLBACK_PENDING','ROLLING_BACK')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rollout_instances').execute();
  await db.schema.dropTable('rollouts').execute();
}
