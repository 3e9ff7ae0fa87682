import { ConflictError, idleStatuses, serviceSourcesOf, type ServiceStatus } from '@nucleon/core';
import { sql, type Kysely } from 'kysely';
import type { NewJob } from '../../ports/catalog-store.js';
import type {
  DeploymentRecord,
  ResourceKey,
  ResourceRecord,
  ServicePatch,
  StartDeployment,
} from '../../ports/deployment-store.js';
import { deploymentRow, resourceRow, serviceRow } from './deployment-rows.js';
import type { Database } from './schema.js';

/**
 * The SQL steps that state changes are built from, each run inside the caller's transaction.
 * Every status change is guarded in SQL by the source statuses core's state machines allow.
 */
export type Tx = Kysely<Database>;

/** Aborts a transaction that returns false to its caller. */
export class Conflict extends Error {}

/** Narrows any query on `resources` to one resource by its key. */
export function whereKey<T>(q: T, key: ResourceKey): T {
  const w = q as unknown as { where(column: string, op: '=', value: string): unknown };
  const a = w.where('kind', '=', key.kind) as typeof w;
  const b = a.where('service_name', '=', key.serviceName) as typeof w;
  return b.where('name', '=', key.name) as T;
}

export async function insertJob(tx: Tx, job: NewJob): Promise<void> {
  await tx
    .insertInto('jobs')
    .values({
      queue: job.queue,
      payload: JSON.stringify(job.payload),
      max_attempts: job.maxAttempts,
    })
    .execute();
}

/**
 * Locks the environment a new instance or component goes into (FOR SHARE: DeleteEnvironment's
 * FOR UPDATE waits for it, and it waits for DeleteEnvironment), and refuses one being deleted.
 */
async function lockEnvironmentFor(tx: Tx, r: ResourceRecord): Promise<void> {
  if (r.kind === 'ENVIRONMENT' || r.kind === 'SERVICE_PIPELINE' || !r.environmentName) return;
  const env = await whereKey(tx.selectFrom('resources').select('deployment_status'), {
    kind: 'ENVIRONMENT',
    serviceName: '',
    name: r.environmentName,
  })
    .forShare()
    .executeTakeFirst();
  if (!env || env.deployment_status === 'DELETE_IN_PROGRESS') {
    throw new ConflictError(
      `The environment ${r.environmentName} ${env ? 'is being deleted' : 'no longer exists'}, so ${r.name} cannot be created in it. Choose another environment.`,
    );
  }
}

/** Locks the service a new instance or pipeline belongs to, and refuses one being deleted. */
async function lockServiceFor(tx: Tx, r: ResourceRecord): Promise<void> {
  if (r.kind !== 'SERVICE_INSTANCE' && r.kind !== 'SERVICE_PIPELINE') return;
  const svc = await tx
    .selectFrom('services')
    .select('status')
    .where('name', '=', r.serviceName)
    .forShare()
    .executeTakeFirst();
  if (!svc || svc.status === 'DELETE_IN_PROGRESS') {
    throw new ConflictError(
      `The service ${r.serviceName} ${svc ? 'is being deleted' : 'no longer exists'}, so ${r.name} cannot be added to it.`,
    );
  }
}

/** Inserts new resources with their first deployments and jobs; an existing one is a Conflict. */
export async function insertResources(tx: Tx, starts: readonly StartDeployment[]): Promise<void> {
  for (const start of starts) {
    await lockEnvironmentFor(tx, start.resource);
    await lockServiceFor(tx, start.resource);
    const r = await tx
      .insertInto('resources')
      .values(resourceRow(start.resource))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new Conflict();
    await tx.insertInto('deployments').values(deploymentRow(start.deployment)).execute();
    await insertJob(tx, start.job);
  }
}

/**
 * Inserts adopted resources (ADR 0021): engine name set to the stack they were adopted with, and
 * their finished deployment; no job. An existing one is a Conflict.
 */
export async function insertAdopted(
  tx: Tx,
  adoptions: ReadonlyArray<{
    resource: ResourceRecord;
    deployment: DeploymentRecord;
    engineName: string;
  }>,
): Promise<void> {
  for (const a of adoptions) {
    await lockEnvironmentFor(tx, a.resource);
    await lockServiceFor(tx, a.resource);
    const r = await tx
      .insertInto('resources')
      .values({ ...resourceRow(a.resource), engine_name: a.engineName })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new Conflict();
    await tx.insertInto('deployments').values(deploymentRow(a.deployment)).execute();
  }
}

/** The resource's guarded move to the start's state: only from an idle status, else a Conflict. */
async function moveIdleResource(tx: Tx, start: StartDeployment): Promise<void> {
  const {
    kind: _k,
    service_name: _s,
    name: _n,
    created_at: _c,
    arn: _a,
    ...patch
  } = resourceRow(start.resource);
  const r = await whereKey(tx.updateTable('resources').set(patch), start.resource)
    .where('deployment_status', 'in', idleStatuses())
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new Conflict();
}

/** Starts deployments of existing resources, each only from an idle status; else a Conflict. */
export async function startResources(tx: Tx, starts: readonly StartDeployment[]): Promise<void> {
  for (const start of starts) {
    await moveIdleResource(tx, start);
    await tx.insertInto('deployments').values(deploymentRow(start.deployment)).execute();
    await insertJob(tx, start.job);
  }
}

/**
 * `startResources` for many resources at once: each resource's guarded update (a Conflict if one
 * is not idle), then every deployment row in one insert and every job in another.
 */
export async function startResourcesTogether(
  tx: Tx,
  starts: readonly StartDeployment[],
): Promise<void> {
  if (starts.length === 0) return;
  for (const start of starts) await moveIdleResource(tx, start);
  await tx
    .insertInto('deployments')
    .values(starts.map((s) => deploymentRow(s.deployment)))
    .execute();
  await tx
    .insertInto('jobs')
    .values(
      starts.map((s) => ({
        queue: s.job.queue,
        payload: JSON.stringify(s.job.payload),
        max_attempts: s.job.maxAttempts,
      })),
    )
    .execute();
}

/**
 * Updates a service, guarded by `from` (default: the sources core allows for the new status);
 * a service in none of them is a Conflict.
 */
export async function patchService(tx: Tx, patch: ServicePatch): Promise<void> {
  const { name, from, ...fields } = patch;
  const guard =
    from ?? (fields.status ? serviceSourcesOf(fields.status as ServiceStatus) : undefined);
  let q = tx.updateTable('services').set(serviceRow(fields)).where('name', '=', name);
  if (guard) q = q.where('status', 'in', guard.length ? [...guard] : ['']);
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new Conflict();
}

/** What a resource's status and last deployment were when a decision about it was made. */
export const fingerprint = (
  rs: ReadonlyArray<
    Pick<ResourceRecord, 'kind' | 'name' | 'deploymentStatus' | 'lastAttemptedDeploymentId'>
  >,
): string =>
  rs
    .map((r) => `${r.kind}/${r.name}/${r.deploymentStatus}/${r.lastAttemptedDeploymentId ?? ''}`)
    .sort()
    .join('|');

/** The service's resources as they are now (inside the transaction, after its row is locked). */
export async function serviceResources(tx: Tx, serviceName: string) {
  const rows = await tx
    .selectFrom('resources')
    .select(['kind', 'name', 'deployment_status', 'last_attempted_deployment_id'])
    .where('service_name', '=', serviceName)
    .where('kind', 'in', ['SERVICE_INSTANCE', 'SERVICE_PIPELINE'])
    .execute();
  return rows.map((r) => ({
    kind: r.kind as ResourceRecord['kind'],
    name: r.name,
    deploymentStatus: r.deployment_status as ResourceRecord['deploymentStatus'],
    lastAttemptedDeploymentId: r.last_attempted_deployment_id,
  }));
}

/** Components attached to one of the service's instances. */
export async function attachedComponents(tx: Tx, serviceName: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('resources')
    .select('name')
    .where('kind', '=', 'COMPONENT')
    .where(sql<string>`settings->>'serviceName'`, '=', serviceName)
    .execute();
  return rows.map((r) => r.name);
}
