import { sql, type Kysely } from 'kysely';

/**
 * Git sync (ADR 0017): each synced repository's mirror, webhook and poll schedule; the branch tips
 * Nucleon has seen; the latest fetch per branch and sync type; template sync configs and their
 * attempts; service sync configs, instance sync attempts and sync blockers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('repository_sync')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // the id in POST /webhooks/repositories/<id>; random, so it reveals nothing of the repository
    .addColumn('webhook_id', 'text', (c) => c.notNull().unique())
    // HMAC secret of webhook deliveries, sealed with the master key; null: webhooks are refused
    .addColumn('webhook_secret_ciphertext', 'text')
    // the bare mirror's folder under the data dir, derived from the repository's ARN
    .addColumn('mirror', 'text', (c) => c.notNull())
    .addColumn('next_poll_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('repository_sync_pk', ['provider', 'name'])
    .addForeignKeyConstraint(
      'repository_sync_repository_fk',
      ['provider', 'name'],
      'repositories',
      ['provider', 'name'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createTable('repository_branches')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('commit', 'text', (c) => c.notNull())
    .addColumn('moved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('repository_branches_pk', ['provider', 'name', 'branch'])
    .execute();
  await db.schema
    .createTable('repository_sync_attempts')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('sync_type', 'text', (c) =>
      c.notNull().check(sql`sync_type in ('TEMPLATE_SYNC','SERVICE_SYNC')`),
    )
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // [{type, event, externalId?, time}] as Proton's RepositorySyncEvent
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('repository_sync_attempts_pk', [
      'provider',
      'name',
      'branch',
      'sync_type',
    ])
    .execute();
  await db.schema
    .createTable('template_sync_configs')
    .addColumn('template_kind', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('repository_name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('subdirectory', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('template_sync_configs_pk', ['template_kind', 'template_name'])
    .execute();
  await db.schema
    .createTable('template_sync_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('template_kind', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('major', 'integer', (c) => c.notNull())
    .addColumn('commit', 'text', (c) => c.notNull())
    // the git tree of <template>/v<major>/ at that commit: an unchanged tree registers nothing
    .addColumn('tree', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('INITIATED','IN_PROGRESS','SUCCEEDED','FAILED')`),
    )
    .addColumn('initial_revision', 'jsonb', (c) => c.notNull())
    .addColumn('target_revision', 'jsonb', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    // the minor version the attempt created (registration settles the attempt)
    .addColumn('minor', 'integer')
    .addUniqueConstraint('template_sync_attempts_commit', [
      'template_kind',
      'template_name',
      'major',
      'commit',
    ])
    .execute();
  await db.schema
    .createTable('service_sync_configs')
    .addColumn('service_name', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('repository_name', 'text', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('service_instance_sync_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('instance_name', 'text', (c) => c.notNull())
    .addColumn('commit', 'text', (c) => c.notNull())
    .addColumn('spec_sha', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('INITIATED','IN_PROGRESS','SUCCEEDED','FAILED')`),
    )
    .addColumn('initial_revision', 'jsonb', (c) => c.notNull())
    .addColumn('target_revision', 'jsonb', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('deployment_id', 'text')
    .addUniqueConstraint('service_instance_sync_attempts_commit', [
      'service_name',
      'instance_name',
      'commit',
    ])
    .execute();
  await db.schema
    .createTable('service_sync_blockers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_name', 'text', (c) => c.notNull())
    // null: the blocker stops the whole service's sync
    .addColumn('instance_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE','RESOLVED')`))
    .addColumn('created_reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_reason', 'text')
    .addColumn('resolved_at', 'timestamptz')
    // [{key, value}] as Proton's SyncBlockerContext
    .addColumn('contexts', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('service_sync_blockers_service')
    .on('service_sync_blockers')
    .columns(['service_name', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'service_sync_blockers',
    'service_instance_sync_attempts',
    'service_sync_configs',
    'template_sync_attempts',
    'template_sync_configs',
    'repository_sync_attempts',
    'repository_branches',
    'repository_sync',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
