import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  InstanceSyncAttemptRecord,
  ServiceSyncConfigRecord,
  ServiceSyncStore,
  SyncBlockerRecord,
} from '../../ports/service-sync-store.js';
import type { ResourceSyncStatus } from '../../ports/template-sync-store.js';
import { eventsFromRow, eventsToJson } from './postgres-template-sync-store.js';
import type { Database } from './schema.js';

type ConfigRow = Selectable<Database['service_sync_configs']>;
type AttemptRow = Selectable<Database['service_instance_sync_attempts']>;
type BlockerRow = Selectable<Database['service_sync_blockers']>;

const toConfig = (r: ConfigRow): ServiceSyncConfigRecord => ({
  serviceName: r.service_name,
  provider: r.provider,
  repositoryName: r.repository_name,
  branch: r.branch,
  filePath: r.file_path,
});

const toAttempt = (r: AttemptRow): InstanceSyncAttemptRecord => ({
  id: String(r.id),
  serviceName: r.service_name,
  instanceName: r.instance_name,
  commit: r.commit,
  specSha: r.spec_sha,
  startedAt: new Date(r.started_at),
  status: r.status as ResourceSyncStatus,
  initialRevision: r.initial_revision,
  targetRevision: r.target_revision,
  events: eventsFromRow(r.events),
  deploymentId: r.deployment_id,
});

const toBlocker = (r: BlockerRow): SyncBlockerRecord => ({
  id: r.id,
  serviceName: r.service_name,
  instanceName: r.instance_name,
  status: r.status as SyncBlockerRecord['status'],
  createdReason: r.created_reason,
  createdAt: new Date(r.created_at),
  resolvedReason: r.resolved_reason,
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
  contexts: r.contexts,
});

/** Adds an ACTIVE blocker unless one of the same scope is active (inside the caller's transaction). */
async function addBlockerIn(tx: Transaction<Database>, b: SyncBlockerRecord) {
  // One active blocker per scope: serialise on the service's config row.
  await sql`select 1 from service_sync_configs where service_name = ${b.serviceName} for update`.execute(
    tx,
  );
  let q = tx
    .selectFrom('service_sync_blockers')
    .selectAll()
    .where('service_name', '=', b.serviceName)
    .where('status', '=', 'ACTIVE');
  q =
    b.instanceName === null
      ? q.where('instance_name', 'is', null)
      : q.where('instance_name', '=', b.instanceName);
  const active = await q.executeTakeFirst();
  if (active) return toBlocker(active);
  await tx
    .insertInto('service_sync_blockers')
    .values({
      id: b.id,
      service_name: b.serviceName,
      instance_name: b.instanceName,
      status: 'ACTIVE',
      created_reason: b.createdReason,
      created_at: b.createdAt,
      resolved_reason: null,
      resolved_at: null,
      contexts: JSON.stringify(b.contexts),
    })
    .execute();
  return b;
}

/** Service sync configs, instance attempts and blockers. */
export class PostgresServiceSyncStore implements ServiceSyncStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getConfig(serviceName: string) {
    const r = await this.db
      .selectFrom('service_sync_configs')
      .selectAll()
      .where('service_name', '=', serviceName)
      .executeTakeFirst();
    return r ? toConfig(r) : undefined;
  }

  async listConfigs(provider: string, repositoryName: string) {
    const rows = await this.db
      .selectFrom('service_sync_configs')
      .selectAll()
      .where('provider', '=', provider)
      .where('repository_name', '=', repositoryName)
      .orderBy('service_name')
      .execute();
    return rows.map(toConfig);
  }

  private row(c: ServiceSyncConfigRecord) {
    return {
      service_name: c.serviceName,
      provider: c.provider,
      repository_name: c.repositoryName,
      branch: c.branch,
      file_path: c.filePath,
    };
  }

  async insertConfig(record: ServiceSyncConfigRecord) {
    const r = await this.db
      .insertInto('service_sync_configs')
      .values(this.row(record))
      .onConflict((oc) => oc.column('service_name').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async updateConfig(record: ServiceSyncConfigRecord) {
    const r = await this.db
      .updateTable('service_sync_configs')
      .set(this.row(record))
      .where('service_name', '=', record.serviceName)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteConfig(serviceName: string) {
    const r = await this.db
      .deleteFrom('service_sync_configs')
      .where('service_name', '=', serviceName)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async latestAttempt(serviceName: string, instanceName: string, status?: ResourceSyncStatus) {
    let q = this.db
      .selectFrom('service_instance_sync_attempts')
      .selectAll()
      .where('service_name', '=', serviceName)
      .where('instance_name', '=', instanceName);
    if (status) q = q.where('status', '=', status);
    const r = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? toAttempt(r) : undefined;
  }

  async hasAttempts(serviceName: string, instanceName: string) {
    return (await this.latestAttempt(serviceName, instanceName)) !== undefined;
  }

  async inProgress(serviceName: string) {
    const rows = await this.db
      .selectFrom('service_instance_sync_attempts')
      .selectAll()
      .where('service_name', '=', serviceName)
      .where('status', '=', 'IN_PROGRESS')
      .execute();
    return rows.map(toAttempt);
  }

  async initiatedAttempts(commit: string) {
    const rows = await this.db
      .selectFrom('service_instance_sync_attempts')
      .selectAll()
      .where('commit', '=', commit)
      .where('status', '=', 'INITIATED')
      .execute();
    return rows.map(toAttempt);
  }

  async startAttempt(a: Omit<InstanceSyncAttemptRecord, 'id'>) {
    const inserted = await this.db
      .insertInto('service_instance_sync_attempts')
      .values({
        service_name: a.serviceName,
        instance_name: a.instanceName,
        commit: a.commit,
        spec_sha: a.specSha,
        started_at: a.startedAt,
        status: a.status,
        initial_revision: JSON.stringify(a.initialRevision),
        target_revision: JSON.stringify(a.targetRevision),
        events: eventsToJson(a.events),
        deployment_id: a.deploymentId,
      })
      .onConflict((oc) => oc.columns(['service_name', 'instance_name', 'commit']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { attempt: toAttempt(inserted), created: true };
    const existing = await this.db
      .selectFrom('service_instance_sync_attempts')
      .selectAll()
      .where('service_name', '=', a.serviceName)
      .where('instance_name', '=', a.instanceName)
      .where('commit', '=', a.commit)
      .executeTakeFirstOrThrow();
    return { attempt: toAttempt(existing), created: false };
  }

  async updateAttempt(
    id: string,
    patch: Partial<Pick<InstanceSyncAttemptRecord, 'status' | 'events' | 'deploymentId'>>,
    expected: readonly ResourceSyncStatus[],
    blocker?: SyncBlockerRecord,
  ) {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('service_instance_sync_attempts')
        .set({
          ...(patch.status ? { status: patch.status } : {}),
          ...(patch.events ? { events: eventsToJson(patch.events) } : {}),
          ...(patch.deploymentId !== undefined ? { deployment_id: patch.deploymentId } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', [...expected])
        .executeTakeFirst();
      const updated = Number(r.numUpdatedRows) > 0;
      if (updated && blocker) await addBlockerIn(tx, blocker);
      return updated;
    });
  }

  async addBlocker(b: SyncBlockerRecord) {
    return this.db.transaction().execute((tx) => addBlockerIn(tx, b));
  }

  async activeBlockers(serviceName: string) {
    const rows = await this.db
      .selectFrom('service_sync_blockers')
      .selectAll()
      .where('service_name', '=', serviceName)
      .where('status', '=', 'ACTIVE')
      .execute();
    return rows.map(toBlocker);
  }

  async latestBlockers(serviceName: string, instanceName?: string) {
    let q = this.db
      .selectFrom('service_sync_blockers')
      .selectAll()
      .where('service_name', '=', serviceName);
    if (instanceName !== undefined)
      q = q.where((eb) =>
        eb.or([eb('instance_name', '=', instanceName), eb('instance_name', 'is', null)]),
      );
    const rows = await q.orderBy('created_at', 'desc').limit(20).execute();
    return rows.map(toBlocker);
  }

  async getBlocker(id: string) {
    const r = await this.db
      .selectFrom('service_sync_blockers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toBlocker(r) : undefined;
  }

  async resolveBlocker(id: string, reason: string, at: Date) {
    const r = await this.db
      .updateTable('service_sync_blockers')
      .set({ status: 'RESOLVED', resolved_reason: reason, resolved_at: at })
      .where('id', '=', id)
      .where('status', '=', 'ACTIVE')
      .returningAll()
      .executeTakeFirst();
    return r ? toBlocker(r) : undefined;
  }
}
