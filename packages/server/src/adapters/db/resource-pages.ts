import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  InstancePageQuery,
  KeysetWindow,
  ResourceRecord,
  ServiceRecord,
} from '../../ports/deployment-store.js';
import { toResource, toService } from './deployment-rows.js';
import type { Database } from './schema.js';

/**
 * What list pages read of a resource: everything but its spec (no summary shape carries it, and
 * a spec can be large). ADR 0029.
 */
export const resourceSummaryColumns = [
  'kind',
  'service_name',
  'name',
  'arn',
  'environment_name',
  'template_name',
  'template_major',
  'template_minor',
  'deployment_status',
  'deployment_status_message',
  'last_attempted_deployment_id',
  'last_succeeded_deployment_id',
  'last_deployment_attempted_at',
  'last_deployment_succeeded_at',
  'settings',
  'created_at',
  'engine_name',
  'provisioning_folder',
] as const;

/** What ListServices reads of a service: everything but its spec. */
export const serviceSummaryColumns = [
  'name',
  'arn',
  'template_name',
  'description',
  'status',
  'status_message',
  'repository_connection_arn',
  'repository_id',
  'branch_name',
  'pending_pipeline',
  'created_at',
  'last_modified_at',
] as const;

type ResourceSummaryRow = Omit<Parameters<typeof toResource>[0], 'spec'>;
type ServiceSummaryRow = Omit<Parameters<typeof toService>[0], 'spec'>;

/** A resource read without its spec (`spec` is null in the record). */
export const toResourceSummary = (row: ResourceSummaryRow): ResourceRecord =>
  toResource({ ...row, spec: null });

/** A service read without its spec (`spec` is empty in the record). */
export const toServiceSummary = (row: ServiceSummaryRow): ServiceRecord =>
  toService({ ...row, spec: '' });

/**
 * ListServiceInstances' sort keys: the column (as migration 0019 indexes it with the ARN), how
 * its value is written into the token, and how a token's value is read back for the comparison.
 * Times go into tokens as whole microseconds since the epoch: exact whatever precision a row was
 * written with, and never a timestamp text to parse back.
 */
interface SortKey {
  column: RawBuilder<unknown>;
  asText: RawBuilder<string>;
  fromText: (value: string) => RawBuilder<unknown>;
}
const textSort = (column: RawBuilder<unknown>): SortKey => ({
  column,
  asText: sql<string>`${column}`,
  fromText: (value) => sql`${value}::text`,
});
const timeSort = (name: string): SortKey => ({
  column: sql.ref(name),
  asText: sql<string>`(extract(epoch from ${sql.ref(name)}) * 1000000)::bigint::text`,
  fromText: (value) => sql`(timestamptz 'epoch' + ${value}::bigint * interval '1 microsecond')`,
});
const instanceSort: Record<string, SortKey> = {
  name: textSort(sql.ref('name')),
  deploymentStatus: textSort(sql.ref('deployment_status')),
  templateName: textSort(sql.ref('template_name')),
  serviceName: textSort(sql.ref('service_name')),
  environmentName: textSort(sql`coalesce(environment_name, '')`),
  lastDeploymentAttemptedAt: timeSort('last_deployment_attempted_at'),
  createdAt: timeSort('created_at'),
};

/** A published service template version newer than the instance's, within `sameMajor` or above. */
const newerPublished = (sameMajor: boolean) =>
  sql<boolean>`exists (select 1 from template_versions tv where tv.kind = 'SERVICE'
    and tv.template_name = resources.template_name and tv.status = 'PUBLISHED' and ${
      sameMajor
        ? sql`tv.major = resources.template_major and tv.minor > resources.template_minor`
        : sql`tv.major > resources.template_major`
    })`;

/**
 * One keyset page of service instances with Proton's filters and sort keys, all in SQL. The key
 * is the sort column's value as text plus the ARN (unique) as tie-breaker; the row comparison
 * `(column, arn) > (value, arn)` continues after it in either direction.
 */
export async function pageInstances(
  db: Kysely<Database>,
  query: InstancePageQuery,
  page: { after?: readonly [string, string] | undefined; limit: number },
): Promise<Array<{ resource: ResourceRecord; sortKey: string }>> {
  const sort = instanceSort[query.sortBy] ?? instanceSort.serviceName!;
  const descending = query.sortOrder === 'DESCENDING';
  let q = db
    .selectFrom('resources')
    .select(resourceSummaryColumns)
    .select(sort.asText.as('sort_key'))
    .where('kind', '=', 'SERVICE_INSTANCE');
  if (query.serviceName !== undefined) q = q.where('service_name', '=', query.serviceName);
  for (const f of query.filters) {
    switch (f.key) {
      case 'name':
        q = q.where('name', '=', f.value);
        break;
      case 'deploymentStatus':
        q = q.where('deployment_status', '=', f.value);
        break;
      case 'templateName':
        q = q.where('template_name', '=', f.value);
        break;
      case 'serviceName':
        q = q.where('service_name', '=', f.value);
        break;
      case 'environmentName':
        q = q.where('environment_name', '=', f.value);
        break;
      case 'lastDeploymentAttemptedAtBefore':
        q = q.where('last_deployment_attempted_at', '<', f.date);
        break;
      case 'lastDeploymentAttemptedAtAfter':
        q = q.where('last_deployment_attempted_at', '>', f.date);
        break;
      case 'createdAtBefore':
        q = q.where('created_at', '<', f.date);
        break;
      case 'createdAtAfter':
        q = q.where('created_at', '>', f.date);
        break;
      case 'deployedTemplateVersionStatus':
        if (f.value === 'BEHIND_MAJOR') q = q.where(newerPublished(false));
        else if (f.value === 'BEHIND_MINOR')
          q = q.where(sql<boolean>`not ${newerPublished(false)}`).where(newerPublished(true));
        else if (f.value === 'UP_TO_DATE')
          q = q
            .where(sql<boolean>`not ${newerPublished(false)}`)
            .where(sql<boolean>`not ${newerPublished(true)}`);
        else q = q.where(sql<boolean>`false`);
        break;
    }
  }
  if (page.after) {
    const [value, arn] = page.after;
    const op = sql.raw(descending ? '<' : '>');
    q = q.where(sql<boolean>`(${sort.column}, arn) ${op} (${sort.fromText(value)}, ${arn})`);
  }
  const direction = sql.raw(descending ? 'desc' : 'asc');
  const rows = await q
    .orderBy(sql`${sort.column} ${direction}`)
    .orderBy(sql`arn ${direction}`)
    .limit(page.limit)
    .execute();
  return rows.map(({ sort_key, ...row }) => ({
    resource: toResourceSummary(row),
    sortKey: sort_key,
  }));
}

/** One keyset page of components (key: name), filtered in SQL. */
export async function pageComponents(
  db: Kysely<Database>,
  filter: { environmentName?: string; serviceName?: string; serviceInstanceName?: string },
  page: KeysetWindow,
): Promise<ResourceRecord[]> {
  let q = db
    .selectFrom('resources')
    .select(resourceSummaryColumns)
    .where('kind', '=', 'COMPONENT')
    .where('service_name', '=', '')
    .orderBy('name')
    .limit(page.limit);
  if (page.after !== undefined) q = q.where('name', '>', page.after);
  if (filter.environmentName) q = q.where('environment_name', '=', filter.environmentName);
  if (filter.serviceName)
    q = q.where(sql<string>`settings->>'serviceName'`, '=', filter.serviceName);
  if (filter.serviceInstanceName)
    q = q.where(sql<string>`settings->>'serviceInstanceName'`, '=', filter.serviceInstanceName);
  return (await q.execute()).map(toResourceSummary);
}

/**
 * One keyset page of a deployment's outputs (key: the output's key), read from its outputs
 * column alone; undefined when no deployment of that id provisioned `targetArn`.
 */
export async function pageOutputs(
  db: Kysely<Database>,
  deploymentId: string,
  targetArn: string,
  page: KeysetWindow,
): Promise<Array<{ key: string; valueString: string }> | undefined> {
  const found = await db
    .selectFrom('deployments')
    .select('id')
    .where('id', '=', deploymentId)
    .where('target_arn', '=', targetArn)
    .executeTakeFirst();
  if (!found) return undefined;
  const after = page.after === undefined ? sql`` : sql`and o.key > ${page.after}`;
  const result = await sql<{ key: string; valueString: string }>`
    select o.key as "key", o.value as "valueString"
    from deployments d cross join lateral jsonb_each_text(coalesce(d.outputs, '{}'::jsonb)) as o(key, value)
    where d.id = ${deploymentId} ${after}
    order by o.key limit ${page.limit}`.execute(db);
  return result.rows;
}

/** One keyset page of a deployment's provisioned resources (key: position in its list). */
export async function pageProvisionedResources(
  db: Kysely<Database>,
  deploymentId: string,
  page: KeysetWindow,
): Promise<
  Array<{ position: number; name: string; identifier: string; provisioningEngine: string }>
> {
  const after = page.after === undefined ? sql`` : sql`and p.n > ${Number(page.after)}`;
  const result = await sql<{
    position: number;
    name: string;
    identifier: string;
    provisioningEngine: string;
  }>`
    select p.n::int as "position", p.value->>'name' as "name",
      p.value->>'identifier' as "identifier", p.value->>'provisioningEngine' as "provisioningEngine"
    from deployments d
      cross join lateral jsonb_array_elements(coalesce(d.provisioned_resources, '[]'::jsonb))
        with ordinality as p(value, n)
    where d.id = ${deploymentId} ${after}
    order by p.n limit ${page.limit}`.execute(db);
  return result.rows.map((r) => ({ ...r, position: Number(r.position) }));
}
