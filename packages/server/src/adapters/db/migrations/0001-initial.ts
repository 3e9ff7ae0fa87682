import { sql, type Kysely } from 'kysely';

/** Catalog, access keys, bundle store, idempotency tokens and the job queue. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('is_root', 'boolean', (c) => c.notNull().defaultTo(false))
    // Temporary keys minted for one deployment may only report on this resource.
    .addColumn('scope_arn', 'text')
    .addColumn('session_token', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('templates')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('ENVIRONMENT','SERVICE')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('description', 'text')
    .addColumn('encryption_key', 'text')
    // ENVIRONMENT: provisioning; SERVICE: pipelineProvisioning. Only value: CUSTOMER_MANAGED.
    .addColumn('provisioning', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('templates_pk', ['kind', 'name'])
    .execute();
  await db.schema
    .createTable('template_versions')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('major', 'integer', (c) => c.notNull())
    .addColumn('minor', 'integer', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text')
    .addColumn('description', 'text')
    .addColumn('schema_text', 'text')
    .addColumn('compatible_environment_templates', 'jsonb')
    .addColumn('supported_component_sources', 'jsonb')
    .addColumn('source_bucket', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('bundle_sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('template_versions_pk', ['kind', 'template_name', 'major', 'minor'])
    .addForeignKeyConstraint(
      'template_versions_template_fk',
      ['kind', 'template_name'],
      'templates',
      ['kind', 'name'],
    )
    .execute();
  await db.schema
    .createTable('tags')
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'key'])
    .execute();
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('bundle_objects')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('bundle_objects_pk', ['bucket', 'key'])
    .execute();
  await db.schema
    .createTable('idempotency_tokens')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('client_token', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('resource_ref', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_tokens_pk', ['operation', 'client_token'])
    .execute();
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('jobs_ready_idx').on('jobs').columns(['queue', 'run_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'jobs',
    'idempotency_tokens',
    'bundle_objects',
    'blobs',
    'tags',
    'template_versions',
    'templates',
    'access_keys',
    'settings',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
