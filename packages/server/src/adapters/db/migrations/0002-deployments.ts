import { sql, type Kysely } from 'kysely';

/**
 * Deployable resources (environments, service instances, service pipelines) share one table and
 * one deployment state machine; services, deployments with their append-only event log, and
 * linked repositories.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('repository_connection_arn', 'text')
    .addColumn('repository_id', 'text')
    .addColumn('branch_name', 'text')
    // the pipeline re-renders once the instances an UpdateService added or removed settle
    .addColumn('pending_pipeline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('resources')
    // ENVIRONMENT | SERVICE_INSTANCE | SERVICE_PIPELINE (Proton's DeploymentTargetResourceType)
    .addColumn('kind', 'text', (c) => c.notNull())
    // '' for environments; the owning service otherwise
    .addColumn('service_name', 'text', (c) => c.notNull())
    // environment name, instance name, or 'pipeline'
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull().unique())
    .addColumn('environment_name', 'text')
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('template_major', 'integer', (c) => c.notNull())
    .addColumn('template_minor', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text')
    .addColumn('deployment_status', 'text', (c) => c.notNull())
    .addColumn('deployment_status_message', 'text')
    .addColumn('last_attempted_deployment_id', 'text')
    .addColumn('last_succeeded_deployment_id', 'text')
    .addColumn('last_deployment_attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_deployment_succeeded_at', 'timestamptz', (c) => c.notNull())
    // kind-specific settings: roles, provisioning repository, description, client token…
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('resources_pk', ['kind', 'service_name', 'name'])
    .execute();
  await db.schema
    .createIndex('resources_environment_idx')
    .on('resources')
    .column('environment_name')
    .execute();
  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_service', 'text', (c) => c.notNull())
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('target_arn', 'text', (c) => c.notNull())
    .addColumn('target_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('environment_name', 'text', (c) => c.notNull())
    // DEPLOY | DELETE
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('cancel_requested', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('initial_state', 'jsonb')
    .addColumn('target_state', 'jsonb', (c) => c.notNull())
    .addColumn('rendered', 'jsonb')
    .addColumn('outputs', 'jsonb')
    .addColumn('provisioned_resources', 'jsonb')
    .addColumn('previous_attempted_id', 'text')
    .addColumn('previous_succeeded_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('deployments_target_idx')
    .on('deployments')
    .columns(['target_kind', 'target_service', 'target_name'])
    .execute();
  await db.schema
    .createTable('deployment_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // status | engine | stdout | stderr
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployment_events_deployment_idx')
    .on('deployment_events')
    .columns(['deployment_id', 'id'])
    .execute();
  await db.schema
    .createTable('repositories')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('connection_arn', 'text', (c) => c.notNull())
    .addColumn('encryption_key', 'text')
    // Where Nucleon pushes: a local path, an SSH URL or an HTTPS URL (Nucleon extension)
    .addColumn('remote_url', 'text')
    .addColumn('token_ciphertext', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('repositories_pk', ['provider', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'repositories',
    'deployment_events',
    'deployments',
    'resources',
    'services',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
