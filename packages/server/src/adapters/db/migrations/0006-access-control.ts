import { sql, type Kysely } from 'kysely';

/**
 * Users with roles, the grants that narrow them, keys tied to users or roles, and the audit log.
 * Existing keys get no user and no role: they stay admins (see ADR 0012).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('admin','platform','developer','read-only')`),
    )
    // scrypt$N$r$p$salt$hash (base64); null: the user signs in to the console with an access key only
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('grants')
    .addColumn('user_name', 'text', (c) => c.notNull().references('users.name').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('template','environment')`))
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('grants_pk', ['user_name', 'kind', 'pattern'])
    .execute();
  await db.schema
    .alterTable('access_keys')
    .addColumn('user_name', 'text', (c) => c.references('users.name').onDelete('cascade'))
    .execute();
  await db.schema
    .alterTable('access_keys')
    .addColumn('role', 'text', (c) =>
      c.check(sql`role in ('admin','platform','developer','read-only')`),
    )
    .execute();
  // 'env': the root key configured through NUCLEON_ROOT_*, retired when that setting changes
  await db.schema.alterTable('access_keys').addColumn('origin', 'text').execute();
  await sql`update access_keys set origin = 'env' where is_root and description = 'root key from NUCLEON_ROOT_ACCESS_KEY_ID'`.execute(
    db,
  );
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('user_name', 'text')
    .addColumn('access_key_id', 'text')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    // SUCCEEDED | FAILED | DENIED
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error_type', 'text')
    .addColumn('message', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('source_address', 'text')
    .execute();
  await db.schema
    .createIndex('audit_events_at_idx')
    .on('audit_events')
    .columns(['at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('access_keys').dropColumn('origin').execute();
  await db.schema.alterTable('access_keys').dropColumn('role').execute();
  await db.schema.alterTable('access_keys').dropColumn('user_name').execute();
  await db.schema.dropTable('grants').execute();
  await db.schema.dropTable('users').execute();
}
