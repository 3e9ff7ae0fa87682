import { ConflictError, type DeploymentStatus } from '@nucleon/core';
import { sql, type Kysely } from 'kysely';
import type { NewJob } from '../../ports/catalog-store.js';
import type {
  DeploymentEvent,
  DeploymentFilter,
  DeploymentRecord,
  DeploymentStore,
  ResourceKey,
  ResourceKind,
  ServiceRecord,
  StartDeployment,
} from '../../ports/deployment-store.js';
import { deploymentRow, resourceRow, serviceRow, toDeployment, toResource, toService } from './deployment-rows.js';
import type { Database } from './schema.js';

const ACTIVE = ['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS'];

type Tx = Kysely<Database>;

/** Narrows any query on `resources` to one resource by its key. */
function whereKey<T>(q: T, key: ResourceKey): T {
  const w = q as unknown as { where(column: string, op: '=', value: string): unknown };
  const a = w.where('kind', '=', key.kind) as typeof w;
  const b = a.where('service_name', '=', key.serviceName) as typeof w;
  return b.where('name', '=', key.name) as T;
}

async function insertJob(tx: Tx, job: NewJob): Promise<void> {
  await tx.insertInto('jobs').values({ queue: job.queue, payload: JSON.stringify(job.payload), max_attempts: job.maxAttempts }).execute();
}

/** Deployable resources, services and deployments in PostgreSQL (or PGlite). */
export class PostgresDeploymentStore implements DeploymentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getResource(key: ResourceKey) {
    const row = await whereKey(this.db.selectFrom('resources').selectAll(), key).executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async listResources(filter: { kind?: ResourceKind; serviceName?: string; environmentName?: string }) {
    let q = this.db.selectFrom('resources').selectAll().orderBy('service_name').orderBy('name');
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.serviceName !== undefined) q = q.where('service_name', '=', filter.serviceName);
    if (filter.environmentName !== undefined) q = q.where('environment_name', '=', filter.environmentName);
    return (await q.execute()).map(toResource);
  }

  async getService(name: string) {
    const row = await this.db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toService(row) : undefined;
  }

  async getResourceByProvisioningFolder(folder: string) {
    const row = await this.db.selectFrom('resources').selectAll().where('provisioning_folder', '=', folder).executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async assignEngineName(key: ResourceKey, name: string) {
    await whereKey(this.db.updateTable('resources').set({ engine_name: name }), key).where('engine_name', 'is', null).execute();
    const row = await whereKey(this.db.selectFrom('resources').select('engine_name'), key).executeTakeFirst();
    return row?.engine_name ?? undefined;
  }

  async listServices() {
    return (await this.db.selectFrom('services').selectAll().orderBy('name').execute()).map(toService);
  }

  async createResources(input: { service?: ServiceRecord; starts: StartDeployment[] }) {
    return this.db.transaction().execute(async (tx) => {
      if (input.service) {
        const r = await tx.insertInto('services').values(serviceRow(input.service) as never).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      }
      for (const start of input.starts) {
        const r = await tx.insertInto('resources').values(resourceRow(start.resource)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) throw new Conflict();
        await tx.insertInto('deployments').values(deploymentRow(start.deployment)).execute();
        await insertJob(tx, start.job);
      }
      return true;
    }).catch((error: unknown) => {
      if (error instanceof Conflict) return false;
      throw folderTaken(error);
    });
  }

  async startDeployments(starts: StartDeployment[], service?: Partial<ServiceRecord> & { name: string }) {
    return this.db.transaction().execute(async (tx) => {
      for (const start of starts) {
        const { kind: _k, service_name: _s, name: _n, created_at: _c, arn: _a, ...patch } = resourceRow(start.resource);
        const r = await whereKey(tx.updateTable('resources').set(patch), start.resource)
          .where('deployment_status', 'not in', ACTIVE)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw new Conflict();
        await tx.insertInto('deployments').values(deploymentRow(start.deployment)).execute();
        await insertJob(tx, start.job);
      }
      if (service) {
        const { name, ...patch } = service;
        await tx.updateTable('services').set(serviceRow(patch)).where('name', '=', name).execute();
      }
      return true;
    }).catch((error: unknown) => {
      if (error instanceof Conflict) return false;
      throw folderTaken(error);
    });
  }

  async updateResourceSettings(key: ResourceKey, settings: Record<string, unknown>, spec?: string) {
    const row = await whereKey(
      this.db.updateTable('resources').set({ settings: JSON.stringify(settings), ...(spec !== undefined ? { spec } : {}) }),
      key,
    )
      .returningAll()
      .executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async updateService(name: string, patch: Partial<Omit<ServiceRecord, 'name' | 'arn' | 'createdAt'>>) {
    const row = serviceRow(patch);
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('services').set(row).where('name', '=', name).execute();
  }

  async deleteService(name: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('resources').where('service_name', '=', name).execute();
      await tx.deleteFrom('services').where('name', '=', name).execute();
    });
  }

  async getDeployment(id: string) {
    const row = await this.db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDeployment(row) : undefined;
  }

  async listDeployments(filter: DeploymentFilter) {
    let q = this.db.selectFrom('deployments').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.environmentName !== undefined) q = q.where('environment_name', '=', filter.environmentName);
    if (filter.serviceName !== undefined) q = q.where('target_service', '=', filter.serviceName);
    if (filter.serviceInstanceName !== undefined) q = q.where('target_kind', '=', 'SERVICE_INSTANCE').where('target_name', '=', filter.serviceInstanceName);
    if (filter.componentName !== undefined) q = q.where('target_kind', '=', 'COMPONENT').where('target_name', '=', filter.componentName);
    return (await q.execute()).map(toDeployment);
  }

  async deleteDeployment(id: string) {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('deployments').where('id', '=', id).where('status', 'not in', ACTIVE).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await tx.deleteFrom('deployment_events').where('deployment_id', '=', id).execute();
      return true;
    });
  }

  async appendEvents(deploymentId: string, events: ReadonlyArray<Omit<DeploymentEvent, 'id' | 'at'> & { at?: Date }>) {
    if (events.length === 0) return;
    await this.db
      .insertInto('deployment_events')
      .values(events.map((e) => ({ deployment_id: deploymentId, kind: e.kind, message: e.message, ...(e.at ? { at: e.at } : {}) })))
      .execute();
  }

  async listEvents(deploymentId: string, afterId = 0, limit = 10_000) {
    const rows = await this.db
      .selectFrom('deployment_events')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .where('id', '>', String(afterId))
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), at: new Date(r.at), kind: r.kind as DeploymentEvent['kind'], message: r.message }));
  }

  async saveRendered(deploymentId: string, rendered: Record<string, string>) {
    await this.db.updateTable('deployments').set({ rendered: JSON.stringify(rendered) }).where('id', '=', deploymentId).execute();
  }

  async mergeOutputs(deploymentId: string, outputs: Record<string, string>) {
    await this.db
      .updateTable('deployments')
      .set({ outputs: sql`coalesce(outputs, '{}'::jsonb) || ${JSON.stringify(outputs)}::jsonb` })
      .where('id', '=', deploymentId)
      .execute();
  }

  async requestCancel(deploymentId: string) {
    const row = await this.db
      .updateTable('deployments')
      .set({ cancel_requested: true, status: 'CANCELLING', last_modified_at: new Date() })
      .where('id', '=', deploymentId)
      .where('status', '=', 'IN_PROGRESS')
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const d = toDeployment(row);
    await whereKey(this.db.updateTable('resources').set({ deployment_status: 'CANCELLING' }), d.target).where('last_attempted_deployment_id', '=', d.id).execute();
    return d;
  }

  async setDeploymentStatus(id: string, status: DeploymentStatus, message: string | null) {
    await this.db.updateTable('deployments').set({ status, status_message: message, last_modified_at: new Date() }).where('id', '=', id).execute();
  }

  async finishDeployment(
    id: string,
    result: { status: DeploymentStatus; message: string | null; outputs?: Record<string, string>; provisionedResources?: DeploymentRecord['provisionedResources'] },
  ) {
    return this.db.transaction().execute(async (tx) => {
      const now = new Date();
      const row = await tx
        .updateTable('deployments')
        .set({
          status: result.status,
          status_message: result.message,
          completed_at: now,
          last_modified_at: now,
          ...(result.outputs ? { outputs: sql`coalesce(outputs, '{}'::jsonb) || ${JSON.stringify(result.outputs)}::jsonb` } : {}),
          ...(result.provisionedResources ? { provisioned_resources: JSON.stringify(result.provisionedResources) } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .returningAll()
        .executeTakeFirst();
      if (!row) return false;
      const d = toDeployment(row);
      const owns = (q: ReturnType<typeof tx.updateTable<'resources'>>) => whereKey(q, d.target).where('last_attempted_deployment_id', '=', id);
      if (result.status === 'DELETE_COMPLETE') {
        await whereKey(tx.deleteFrom('resources'), d.target).where('last_attempted_deployment_id', '=', id).execute();
      } else if (result.status === 'SUCCEEDED') {
        const state = d.targetState as { templateMajorVersion?: string; templateMinorVersion?: string; spec?: string };
        await owns(
          tx.updateTable('resources').set({
            deployment_status: 'SUCCEEDED',
            deployment_status_message: result.message,
            last_succeeded_deployment_id: id,
            last_deployment_succeeded_at: now,
            ...(state.templateMajorVersion ? { template_major: Number(state.templateMajorVersion), template_minor: Number(state.templateMinorVersion) } : {}),
          }),
        ).execute();
      } else {
        // FAILED / CANCELLED: the resource keeps the version and spec of its last success.
        const initial = d.initialState as { templateMajorVersion?: string; templateMinorVersion?: string; spec?: string } | null;
        await owns(
          tx.updateTable('resources').set({
            deployment_status: result.status,
            deployment_status_message: result.message,
            ...(initial?.templateMajorVersion && d.operation === 'DEPLOY'
              ? { template_major: Number(initial.templateMajorVersion), template_minor: Number(initial.templateMinorVersion) }
              : {}),
          }),
        ).execute();
      }
      return true;
    });
  }

  async countVersionUsage(templateKind: 'ENVIRONMENT' | 'SERVICE', templateName: string, major: number, minor: number) {
    const rows = await this.db
      .selectFrom('resources')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('template_name', '=', templateName)
      .where('template_major', '=', major)
      .where('template_minor', '=', minor)
      .where('kind', templateKind === 'ENVIRONMENT' ? '=' : '!=', 'ENVIRONMENT')
      .groupBy('kind')
      .execute();
    const n = (k: string) => Number(rows.find((r) => r.kind === k)?.n ?? 0);
    return { environments: n('ENVIRONMENT'), serviceInstances: n('SERVICE_INSTANCE'), pipelines: n('SERVICE_PIPELINE') };
  }
}

class Conflict extends Error {}

/** A provisioning folder taken by a concurrent create becomes a ConflictError; anything else is rethrown. */
function folderTaken(error: unknown): Error {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  const unique = e.code === '23505' && (e.constraint === 'resources_provisioning_folder_uq' || String(e.message).includes('resources_provisioning_folder_uq'));
  if (!unique) return error instanceof Error ? error : new Error(String(error));
  return new ConflictError('Another resource took the same folder of the environment\'s provisioning repository at the same time (Proton names folders <environment>/<service>-<instance> and <environment>/<component>). Choose another name.');
}
