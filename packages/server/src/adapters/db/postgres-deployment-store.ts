import {
  activeStatuses,
  ConflictError,
  deploymentSourcesOf,
  endStatus,
  idleStatuses,
  type DeploymentStatus,
} from '@nucleon/core';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import {
  RECONCILE_SERVICE_QUEUE,
  type DeploymentEvent,
  type DeploymentFilter,
  type DeploymentRecord,
  type DeploymentStore,
  type InstancePageQuery,
  type KeysetWindow,
  type ResourceKey,
  type ResourceKind,
  type ResourceRecord,
  type ServicePatch,
  type ServiceRecord,
  type ServiceSettlement,
  type StartDeployment,
} from '../../ports/deployment-store.js';
import {
  deploymentSummaryColumns,
  serviceRow,
  toDeployment,
  toDeploymentSummary,
  toResource,
  toService,
} from './deployment-rows.js';
import {
  Conflict,
  attachedComponents,
  fingerprint,
  insertAdopted,
  insertResources,
  patchService,
  serviceResources,
  startResources,
  whereKey,
} from './resource-transitions.js';
import {
  pageComponents,
  pageInstances,
  pageOutputs,
  pageProvisionedResources,
  resourceSummaryColumns,
  serviceSummaryColumns,
  toResourceSummary,
  toServiceSummary,
} from './resource-pages.js';
import { ROLLOUT_QUEUE } from '../../ports/rollout-store.js';
import type { Database } from './schema.js';

/** Resolves false when the transaction was aborted by a Conflict (it changed nothing). */
const orFalse = (error: unknown): false => {
  if (error instanceof Conflict) return false;
  throw folderTaken(error);
};

/** ListDeployments' filters, in SQL. */
function whereDeployments<Q extends SelectQueryBuilder<Database, 'deployments', object>>(
  q: Q,
  filter: DeploymentFilter,
): Q {
  let r: SelectQueryBuilder<Database, 'deployments', object> = q;
  if (filter.environmentName !== undefined)
    r = r.where('environment_name', '=', filter.environmentName);
  if (filter.serviceName !== undefined) r = r.where('target_service', '=', filter.serviceName);
  if (filter.serviceInstanceName !== undefined)
    r = r
      .where('target_kind', '=', 'SERVICE_INSTANCE')
      .where('target_name', '=', filter.serviceInstanceName);
  if (filter.componentName !== undefined)
    r = r.where('target_kind', '=', 'COMPONENT').where('target_name', '=', filter.componentName);
  return r as Q;
}

/** Deployable resources, services and deployments in PostgreSQL (or PGlite). */
export class PostgresDeploymentStore implements DeploymentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getResource(key: ResourceKey) {
    const row = await whereKey(this.db.selectFrom('resources').selectAll(), key).executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async listResources(filter: {
    kind?: ResourceKind;
    serviceName?: string;
    environmentName?: string;
  }) {
    let q = this.db.selectFrom('resources').selectAll().orderBy('service_name').orderBy('name');
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.serviceName !== undefined) q = q.where('service_name', '=', filter.serviceName);
    if (filter.environmentName !== undefined)
      q = q.where('environment_name', '=', filter.environmentName);
    return (await q.execute()).map(toResource);
  }

  async pageResources(
    filter: {
      kind: ResourceKind;
      serviceName: string;
      templates?: ReadonlyArray<{ templateName: string; major: number }> | undefined;
    },
    page: KeysetWindow,
  ) {
    let q = this.db
      .selectFrom('resources')
      .select(resourceSummaryColumns)
      .where('kind', '=', filter.kind)
      .where('service_name', '=', filter.serviceName)
      .orderBy('name')
      .limit(page.limit);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    // A major version that is not a whole number matches no resource (as before, in memory).
    const templates = filter.templates?.filter((t) => Number.isInteger(t.major));
    if (filter.templates?.length && !templates?.length) return [];
    if (templates?.length)
      q = q.where((eb) =>
        eb.or(
          templates.map((t) =>
            eb.and([eb('template_name', '=', t.templateName), eb('template_major', '=', t.major)]),
          ),
        ),
      );
    return (await q.execute()).map(toResourceSummary);
  }

  pageInstances(
    query: InstancePageQuery,
    page: { after?: readonly [string, string] | undefined; limit: number },
  ) {
    return pageInstances(this.db, query, page);
  }

  pageComponents(
    filter: { environmentName?: string; serviceName?: string; serviceInstanceName?: string },
    page: KeysetWindow,
  ) {
    return pageComponents(this.db, filter, page);
  }

  pageOutputs(deploymentId: string, targetArn: string, page: KeysetWindow) {
    return pageOutputs(this.db, deploymentId, targetArn, page);
  }

  pageProvisionedResources(deploymentId: string, page: KeysetWindow) {
    return pageProvisionedResources(this.db, deploymentId, page);
  }

  async getService(name: string) {
    const row = await this.db
      .selectFrom('services')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toService(row) : undefined;
  }

  async getResourceByProvisioningFolder(folder: string) {
    const row = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('provisioning_folder', '=', folder)
      .executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async assignEngineName(key: ResourceKey, name: string) {
    await whereKey(this.db.updateTable('resources').set({ engine_name: name }), key)
      .where('engine_name', 'is', null)
      .execute();
    const row = await whereKey(
      this.db.selectFrom('resources').select('engine_name'),
      key,
    ).executeTakeFirst();
    return row?.engine_name ?? undefined;
  }

  async listServices() {
    return (await this.db.selectFrom('services').selectAll().orderBy('name').execute()).map(
      toService,
    );
  }

  async pageServices(page: KeysetWindow) {
    let q = this.db
      .selectFrom('services')
      .select(serviceSummaryColumns)
      .orderBy('name')
      .limit(page.limit);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    return (await q.execute()).map(toServiceSummary);
  }

  async createResources(input: { service?: ServiceRecord; starts: StartDeployment[] }) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        if (input.service) {
          const r = await tx
            .insertInto('services')
            .values(serviceRow(input.service) as never)
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
        }
        await insertResources(tx, input.starts);
        return true;
      })
      .catch(orFalse);
  }

  async adoptResources(input: {
    service?: ServiceRecord;
    adoptions: Array<{
      resource: ResourceRecord;
      deployment: DeploymentRecord;
      engineName: string;
    }>;
  }) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        if (input.service) {
          const r = await tx
            .insertInto('services')
            .values(serviceRow(input.service) as never)
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
        }
        await insertAdopted(tx, input.adoptions);
        return true;
      })
      .catch(orFalse);
  }

  async startDeployments(
    starts: StartDeployment[],
    service?: ServicePatch,
    creates: StartDeployment[] = [],
  ) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        if (service) await patchService(tx, service);
        await insertResources(tx, creates);
        await startResources(tx, starts);
        return true;
      })
      .catch(orFalse);
  }

  async startEnvironmentDeletion(start: StartDeployment) {
    const name = start.resource.name;
    return this.db
      .transaction()
      .execute(async (tx) => {
        const env = await whereKey(tx.selectFrom('resources').select('name'), start.resource)
          .forUpdate()
          .executeTakeFirst();
        if (!env) throw new ConflictError(`The environment ${name} was deleted at the same time.`);
        const inside = await tx
          .selectFrom('resources')
          .select(['kind', 'service_name', 'name'])
          .where('environment_name', '=', name)
          .where('kind', 'in', ['SERVICE_INSTANCE', 'COMPONENT'])
          .orderBy('service_name')
          .orderBy('name')
          .execute();
        if (inside.length) {
          const what = inside.map((i) =>
            i.kind === 'COMPONENT'
              ? `component ${i.name}`
              : `service instance ${i.service_name}/${i.name}`,
          );
          throw new ConflictError(
            `The environment ${name} still has ${what.join(', ')}. Delete them first.`,
          );
        }
        await startResources(tx, [start]);
        return true;
      })
      .catch(orFalse);
  }

  async startServiceDeletion(name: string, starts: StartDeployment[], now: Date) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        await patchService(tx, {
          name,
          status: 'DELETE_IN_PROGRESS',
          statusMessage: null,
          lastModifiedAt: now,
        });
        const components = await attachedComponents(tx, name);
        if (components.length)
          throw new ConflictError(
            `The service ${name} has components attached to its instances (${components.join(', ')}). Detach or delete them first.`,
          );
        const planned = fingerprint(
          starts.map((s) => ({
            ...s.resource,
            deploymentStatus: 'SUCCEEDED' as const,
            lastAttemptedDeploymentId: null,
          })),
        );
        const present = fingerprint(
          (await serviceResources(tx, name)).map((r) => ({
            ...r,
            deploymentStatus: 'SUCCEEDED' as const,
            lastAttemptedDeploymentId: null,
          })),
        );
        if (planned !== present)
          throw new ConflictError(
            `The service ${name}'s instances changed while it was being deleted. Try again.`,
          );
        await startResources(tx, starts);
        if (starts.length === 0) await tx.deleteFrom('services').where('name', '=', name).execute();
        return true;
      })
      .catch(orFalse);
  }

  async settleService(name: string, settlement: ServiceSettlement) {
    return this.db
      .transaction()
      .execute(async (tx) => {
        const svc = await tx
          .selectFrom('services')
          .select('status')
          .where('name', '=', name)
          .forUpdate()
          .executeTakeFirst();
        if (svc?.status !== settlement.expected.status) return false;
        if (
          fingerprint(await serviceResources(tx, name)) !==
          fingerprint(settlement.expected.resources)
        )
          return false;
        if (settlement.deleteService) {
          await tx
            .deleteFrom('services')
            .where('name', '=', name)
            .where('status', '=', 'DELETE_IN_PROGRESS')
            .execute();
          return true;
        }
        if (settlement.patch)
          await patchService(tx, {
            name,
            ...settlement.patch,
            ...(settlement.patch.status ? {} : { from: [svc.status] }),
          });
        await startResources(tx, settlement.starts ?? []);
        return true;
      })
      .catch(orFalse);
  }

  async updateResourceSettings(key: ResourceKey, settings: Record<string, unknown>, spec?: string) {
    const row = await whereKey(
      this.db
        .updateTable('resources')
        .set({ settings: JSON.stringify(settings), ...(spec !== undefined ? { spec } : {}) }),
      key,
    )
      .returningAll()
      .executeTakeFirst();
    return row ? toResource(row) : undefined;
  }

  async getDeployment(id: string) {
    const row = await this.db
      .selectFrom('deployments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toDeployment(row) : undefined;
  }

  async listDeployments(filter: DeploymentFilter) {
    const q = this.db
      .selectFrom('deployments')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id');
    return (await whereDeployments(q, filter).execute()).map(toDeployment);
  }

  async pageDeployments(
    filter: DeploymentFilter,
    page: { after?: { createdAt: Date; id: string } | undefined; limit: number },
  ) {
    let q = whereDeployments(
      this.db
        .selectFrom('deployments')
        .select(deploymentSummaryColumns)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(page.limit),
      filter,
    );
    const after = page.after;
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
        ]),
      );
    return (await q.execute()).map(toDeploymentSummary);
  }

  async deleteDeployment(id: string) {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .deleteFrom('deployments')
        .where('id', '=', id)
        .where('status', 'in', idleStatuses())
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await tx.deleteFrom('deployment_events').where('deployment_id', '=', id).execute();
      return true;
    });
  }

  async appendEvents(
    deploymentId: string,
    events: ReadonlyArray<Omit<DeploymentEvent, 'id' | 'at'> & { at?: Date }>,
  ) {
    if (events.length === 0) return;
    await this.db
      .insertInto('deployment_events')
      .values(
        events.map((e) => ({
          deployment_id: deploymentId,
          kind: e.kind,
          message: e.message,
          ...(e.at ? { at: e.at } : {}),
        })),
      )
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
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at),
      kind: r.kind as DeploymentEvent['kind'],
      message: r.message,
    }));
  }

  async saveRendered(deploymentId: string, rendered: Record<string, string>) {
    await this.db
      .updateTable('deployments')
      .set({ rendered: JSON.stringify(rendered) })
      .where('id', '=', deploymentId)
      .execute();
  }

  async mergeOutputs(deploymentId: string, outputs: Record<string, string>) {
    await this.db
      .updateTable('deployments')
      .set({ outputs: sql`coalesce(outputs, '{}'::jsonb) || ${JSON.stringify(outputs)}::jsonb` })
      .where('id', '=', deploymentId)
      .execute();
  }

  async requestCancel(deploymentId: string) {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('deployments')
        .set({ cancel_requested: true, status: 'CANCELLING', last_modified_at: new Date() })
        .where('id', '=', deploymentId)
        .where('status', 'in', deploymentSourcesOf('CANCELLING'))
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const d = toDeployment(row);
      await whereKey(tx.updateTable('resources').set({ deployment_status: 'CANCELLING' }), d.target)
        .where('last_attempted_deployment_id', '=', d.id)
        .where('deployment_status', 'in', deploymentSourcesOf('CANCELLING'))
        .execute();
      return d;
    });
  }

  async finishDeployment(
    id: string,
    result: {
      status: DeploymentStatus;
      message: string | null;
      outputs?: Record<string, string>;
      provisionedResources?: DeploymentRecord['provisionedResources'];
    },
  ) {
    return this.db.transaction().execute(async (tx) => {
      const now = new Date();
      // The operation never changes, so reading it first needs no lock; the update below is the guard.
      // The same read finds the running rollout that started this deployment, if any.
      const current = (
        await sql<{ operation: string; rollout_id: string | null }>`
          select d.operation, (
            select i.rollout_id from rollout_instances i join rollouts r on r.id = i.rollout_id
            where (i.deployment_id = d.id or i.rollback_deployment_id = d.id)
              and r.status = 'IN_PROGRESS'
            limit 1) as rollout_id
          from deployments d where d.id = ${id}`.execute(tx)
      ).rows[0];
      if (!current) return false;
      // Its rollout's row first (the order every rollout transaction takes): a step being
      // enqueued right now commits before this end does, so the wake below finds it.
      const rollout = current.rollout_id
        ? (
            await sql<{ id: string }>`
              select id from rollouts where id = ${current.rollout_id} and status = 'IN_PROGRESS'
              for share`.execute(tx)
          ).rows[0]
        : undefined;
      const status = endStatus(current.operation as DeploymentRecord['operation'], result.status);
      const row = await tx
        .updateTable('deployments')
        .set({
          status,
          status_message: result.message,
          completed_at: now,
          last_modified_at: now,
          ...(result.outputs
            ? {
                outputs: sql`coalesce(outputs, '{}'::jsonb) || ${JSON.stringify(result.outputs)}::jsonb`,
              }
            : {}),
          ...(result.provisionedResources
            ? { provisioned_resources: JSON.stringify(result.provisionedResources) }
            : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', deploymentSourcesOf(status))
        .returningAll()
        .executeTakeFirst();
      if (!row) return false;
      // The deployment's scoped credentials end with it, in this same transaction (migration 0005).
      await tx.deleteFrom('access_keys').where('deployment_id', '=', id).execute();
      const d = toDeployment(row);
      const sources = deploymentSourcesOf(status);
      const owns = (q: ReturnType<typeof tx.updateTable<'resources'>>) =>
        whereKey(q, d.target)
          .where('last_attempted_deployment_id', '=', id)
          .where('deployment_status', 'in', sources);
      if (d.target.kind === 'SERVICE_INSTANCE' || d.target.kind === 'SERVICE_PIPELINE') {
        // The service's status follows from its resources: recomputed by a job, enqueued with this
        // end unless one is already waiting. The waiting one is locked until this commits (a
        // worker's claim skips it meanwhile), so it runs after this end and covers it. A rollout
        // ending 20 instances of a service together recomputes it a few times, not 20.
        await sql`
          with waiting as (
            select id from jobs where queue = ${RECONCILE_SERVICE_QUEUE}
              and payload->>'serviceName' = ${d.target.serviceName}
              and locked_by is null and attempts = 0
            limit 1 for update skip locked)
          insert into jobs (queue, payload, max_attempts)
          select ${RECONCILE_SERVICE_QUEUE}, ${JSON.stringify({ serviceName: d.target.serviceName })}::jsonb, 10
          where not exists (select 1 from waiting)`.execute(tx);
      }
      if (status === 'DELETE_COMPLETE') {
        await whereKey(tx.deleteFrom('resources'), d.target)
          .where('last_attempted_deployment_id', '=', id)
          .where('deployment_status', 'in', sources)
          .execute();
      } else if (status === 'SUCCEEDED') {
        const state = d.targetState as {
          templateMajorVersion?: string;
          templateMinorVersion?: string;
          spec?: string;
        };
        await owns(
          tx.updateTable('resources').set({
            deployment_status: 'SUCCEEDED',
            deployment_status_message: result.message,
            last_succeeded_deployment_id: id,
            last_deployment_succeeded_at: now,
            ...(state.templateMajorVersion
              ? {
                  template_major: Number(state.templateMajorVersion),
                  template_minor: Number(state.templateMinorVersion),
                }
              : {}),
          }),
        ).execute();
      } else {
        // FAILED / CANCELLED: the resource keeps the version and spec of its last success.
        const initial = d.initialState as {
          templateMajorVersion?: string;
          templateMinorVersion?: string;
          spec?: string;
        } | null;
        await owns(
          tx.updateTable('resources').set({
            deployment_status: status,
            deployment_status_message: result.message,
            ...(initial?.templateMajorVersion && d.operation === 'DEPLOY'
              ? {
                  template_major: Number(initial.templateMajorVersion),
                  template_minor: Number(initial.templateMinorVersion),
                }
              : {}),
          }),
        ).execute();
      }
      // The rollout decides its next step now rather than at its next poll (ADR 0019, "Wakeups").
      if (rollout) await wakeRollout(tx, rollout.id);
      return true;
    });
  }

  async countVersionUsage(
    templateKind: 'ENVIRONMENT' | 'SERVICE',
    templateName: string,
    major: number,
    minor: number,
  ) {
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
    return {
      environments: n('ENVIRONMENT'),
      serviceInstances: n('SERVICE_INSTANCE'),
      pipelines: n('SERVICE_PIPELINE'),
    };
  }

  // The stall warning: a message on a running deployment; statuses stay as they are.
  async noteProgress(id: string, message: string | null) {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('deployments')
        .set({ status_message: message })
        .where('id', '=', id)
        .where('status', 'in', activeStatuses())
        .returningAll()
        .executeTakeFirst();
      if (!row) return;
      const d = toDeployment(row);
      await whereKey(
        tx.updateTable('resources').set({ deployment_status_message: message }),
        d.target,
      )
        .where('last_attempted_deployment_id', '=', id)
        .where('deployment_status', 'in', activeStatuses())
        .execute();
    });
  }
}

/**
 * Moves the rollout's pending step (not one a worker is running) to now and wakes the workers
 * (delivered at commit). A step already running enqueues its successor due now when it sees
 * this deployment ended (`PostgresRolloutStore.scheduleNext`).
 */
async function wakeRollout(tx: Kysely<Database>, rolloutId: string): Promise<void> {
  await sql`
    with woke as (
      update jobs set run_at = now()
      where queue = ${ROLLOUT_QUEUE} and payload->>'rolloutId' = ${rolloutId}
        and locked_by is null and attempts = 0 and run_at > now()
      returning id)
    select pg_notify('nucleon_jobs', '') from woke limit 1`.execute(tx);
}

/** A provisioning folder taken by a concurrent create becomes a ConflictError; anything else is rethrown. */
function folderTaken(error: unknown): Error {
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  const unique =
    e.code === '23505' &&
    (e.constraint === 'resources_provisioning_folder_uq' ||
      String(e.message).includes('resources_provisioning_folder_uq'));
  if (!unique) return error instanceof Error ? error : new Error(String(error));
  return new ConflictError(
    "Another resource took the same folder of the environment's provisioning repository at the same time (Proton names folders <environment>/<service>-<instance> and <environment>/<component>). Choose another name.",
  );
}
