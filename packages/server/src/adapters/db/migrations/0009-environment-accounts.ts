import { sql, type Kysely } from 'kysely';

/**
 * More than one account (ADR 0018): an access key belongs to an account (null: the installation's
 * own, so every existing key keeps its meaning), and environment account connections join an
 * environment (workload) account to the management account that provisions into it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('access_keys')
    .addColumn('account_id', 'text', (c) => c.check(sql`account_id ~ '^[0-9]{12}$'`))
    .execute();
  await db.schema
    .createTable('environment_account_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('arn', 'text', (c) => c.notNull().unique())
    // the account that requested it (and where it lives, as in Proton)
    .addColumn('environment_account_id', 'text', (c) => c.notNull())
    .addColumn('management_account_id', 'text', (c) => c.notNull())
    .addColumn('environment_name', 'text', (c) => c.notNull())
    .addColumn('role_arn', 'text')
    .addColumn('codebuild_role_arn', 'text')
    .addColumn('component_role_arn', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('PENDING','CONNECTED','REJECTED')`),
    )
    // CreateEnvironmentAccountConnection's idempotency token and a digest of its parameters
    .addColumn('client_token', 'text')
    .addColumn('request_digest', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_modified_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // One live (pending or connected) connection per environment account, environment name and
  // management account; a rejected one is final and does not block a new request.
  await sql`create unique index environment_account_connections_live on environment_account_connections (management_account_id, environment_account_id, environment_name) where status <> 'REJECTED'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('environment_account_connections').execute();
  await db.schema.alterTable('access_keys').dropColumn('account_id').execute();
}
