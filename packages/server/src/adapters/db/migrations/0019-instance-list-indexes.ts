import { sql, type Kysely } from 'kysely';

/**
 * ListServiceInstances pages in SQL by each of Proton's sort keys with the ARN as tie-breaker
 * (ADR 0029): one index per sort key lets the first page stop after `maxResults + 1` rows, in
 * either order, instead of sorting every instance.
 */
const indexes: Array<[string, string]> = [
  ['resources_by_service_idx', 'kind, service_name, arn'],
  ['resources_by_name_idx', 'kind, name, arn'],
  ['resources_by_status_idx', 'kind, deployment_status, arn'],
  ['resources_by_template_idx', 'kind, template_name, arn'],
  ['resources_by_environment_idx', "kind, (coalesce(environment_name, '')), arn"],
  ['resources_by_attempted_idx', 'kind, last_deployment_attempted_at, arn'],
  ['resources_by_created_idx', 'kind, created_at, arn'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of indexes)
    await sql`CREATE INDEX ${sql.raw(name)} ON resources (${sql.raw(columns)})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of indexes) await db.schema.dropIndex(name).execute();
}
