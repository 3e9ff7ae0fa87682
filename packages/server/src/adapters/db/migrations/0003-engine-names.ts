import { sql, type Kysely } from 'kysely';

/**
 * Engine names (ADR 0010): each resource stores the name its stack and Terraform state use, chosen
 * once when it is first provisioned; and the folder it holds in a self-managed provisioning
 * repository, unique so two resources never share one.
 *
 * Existing resources keep the names their stacks and state already have: the name Nucleon derived
 * before this migration, frozen here. Their folders are reserved first come, first served; a
 * resource whose folder an older one already holds keeps working as before, unreserved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('resources').addColumn('engine_name', 'text').execute();
  await db.schema.alterTable('resources').addColumn('provisioning_folder', 'text').execute();

  const rows = await sql<{
    kind: string;
    service_name: string;
    name: string;
    environment_name: string | null;
  }>`
    select kind, service_name, name, environment_name from resources order by created_at, kind, service_name, name`.execute(
    db,
  );
  const environments = await sql<{ name: string; repository: unknown }>`
    select name, settings -> 'provisioningRepository' as repository from resources where kind = 'ENVIRONMENT'`.execute(
    db,
  );
  const selfManaged = new Set(
    environments.rows.filter((e) => hasRepository(e.repository)).map((e) => e.name),
  );
  const taken = new Set<string>();
  for (const r of rows.rows) {
    const environment = r.kind === 'ENVIRONMENT' ? r.name : r.environment_name;
    const folder =
      r.kind !== 'SERVICE_PIPELINE' && environment !== null && selfManaged.has(environment)
        ? folderOf(r)
        : null;
    const reserved = folder !== null && !taken.has(folder) ? folder : null;
    if (reserved !== null) taken.add(reserved);
    await sql`update resources set engine_name = ${legacyName(r)}, provisioning_folder = ${reserved}
      where kind = ${r.kind} and service_name = ${r.service_name} and name = ${r.name}`.execute(db);
  }
  await db.schema
    .createIndex('resources_provisioning_folder_uq')
    .on('resources')
    .column('provisioning_folder')
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('resources_provisioning_folder_uq').execute();
  await db.schema.alterTable('resources').dropColumn('provisioning_folder').execute();
  await db.schema.alterTable('resources').dropColumn('engine_name').execute();
}

function hasRepository(v: unknown): boolean {
  const repo = (typeof v === 'string' ? JSON.parse(v) : v) as {
    provider?: unknown;
    name?: unknown;
  } | null;
  return typeof repo?.provider === 'string' && typeof repo.name === 'string';
}

type Row = { kind: string; service_name: string; name: string; environment_name: string | null };

/** The stack and state name before 0003 (frozen copy; do not change). */
function legacyName(r: Row): string {
  if (r.kind === 'COMPONENT')
    return `nucleon-component-${r.name}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 128);
  const base =
    r.kind === 'ENVIRONMENT'
      ? `nucleon-env-${r.name}`
      : r.kind === 'SERVICE_INSTANCE'
        ? `nucleon-svc-${r.service_name}-${r.name}`
        : `nucleon-svc-${r.service_name}-pipeline`;
  return base.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 128);
}

/** Proton's self-managed folder (frozen copy of core's provisioningFolder). */
function folderOf(r: Row): string {
  if (r.kind === 'ENVIRONMENT') return r.name;
  if (r.kind === 'SERVICE_INSTANCE')
    return `${r.environment_name ?? ''}/${r.service_name}-${r.name}`;
  return `${r.environment_name ?? ''}/${r.name}`;
}
