import type { TemplateKind } from '@nucleon/core';
import type { Kysely, Selectable } from 'kysely';
import type { SyncEvent } from '../../ports/repository-sync-store.js';
import type {
  ResourceSyncStatus,
  TemplateSyncAttemptRecord,
  TemplateSyncConfigRecord,
  TemplateSyncStore,
} from '../../ports/template-sync-store.js';
import type { Database } from './schema.js';

type ConfigRow = Selectable<Database['template_sync_configs']>;
type AttemptRow = Selectable<Database['template_sync_attempts']>;

const toConfig = (r: ConfigRow): TemplateSyncConfigRecord => ({
  templateKind: r.template_kind as TemplateKind,
  templateName: r.template_name,
  provider: r.provider,
  repositoryName: r.repository_name,
  branch: r.branch,
  subdirectory: r.subdirectory,
});

export const eventsToJson = (events: SyncEvent[]): string =>
  JSON.stringify(events.map((e) => ({ ...e, time: e.time.toISOString() })));
export const eventsFromRow = (events: Array<{ time: string } & Omit<SyncEvent, 'time'>>) =>
  events.map((e) => ({ ...e, time: new Date(e.time) }));

const toAttempt = (r: AttemptRow): TemplateSyncAttemptRecord => ({
  id: String(r.id),
  templateKind: r.template_kind as TemplateKind,
  templateName: r.template_name,
  major: r.major,
  commit: r.commit,
  tree: r.tree,
  startedAt: new Date(r.started_at),
  status: r.status as ResourceSyncStatus,
  initialRevision: r.initial_revision,
  targetRevision: r.target_revision,
  events: eventsFromRow(r.events),
  minor: r.minor,
});

/** Template sync configs and attempts. */
export class PostgresTemplateSyncStore implements TemplateSyncStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getConfig(kind: TemplateKind, name: string) {
    const r = await this.db
      .selectFrom('template_sync_configs')
      .selectAll()
      .where('template_kind', '=', kind)
      .where('template_name', '=', name)
      .executeTakeFirst();
    return r ? toConfig(r) : undefined;
  }

  async listConfigs(provider: string, repositoryName: string) {
    const rows = await this.db
      .selectFrom('template_sync_configs')
      .selectAll()
      .where('provider', '=', provider)
      .where('repository_name', '=', repositoryName)
      .orderBy('template_kind')
      .orderBy('template_name')
      .execute();
    return rows.map(toConfig);
  }

  private row(c: TemplateSyncConfigRecord) {
    return {
      template_kind: c.templateKind,
      template_name: c.templateName,
      provider: c.provider,
      repository_name: c.repositoryName,
      branch: c.branch,
      subdirectory: c.subdirectory,
    };
  }

  async insertConfig(record: TemplateSyncConfigRecord) {
    const r = await this.db
      .insertInto('template_sync_configs')
      .values(this.row(record))
      .onConflict((oc) => oc.columns(['template_kind', 'template_name']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async updateConfig(record: TemplateSyncConfigRecord) {
    const r = await this.db
      .updateTable('template_sync_configs')
      .set(this.row(record))
      .where('template_kind', '=', record.templateKind)
      .where('template_name', '=', record.templateName)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteConfig(kind: TemplateKind, name: string) {
    const r = await this.db
      .deleteFrom('template_sync_configs')
      .where('template_kind', '=', kind)
      .where('template_name', '=', name)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async latestAttempt(
    kind: TemplateKind,
    name: string,
    major: number,
    status?: ResourceSyncStatus,
  ) {
    let q = this.db
      .selectFrom('template_sync_attempts')
      .selectAll()
      .where('template_kind', '=', kind)
      .where('template_name', '=', name)
      .where('major', '=', major);
    if (status) q = q.where('status', '=', status);
    const r = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? toAttempt(r) : undefined;
  }

  async initiatedAttempts(commit: string) {
    const rows = await this.db
      .selectFrom('template_sync_attempts')
      .selectAll()
      .where('commit', '=', commit)
      .where('status', '=', 'INITIATED')
      .execute();
    return rows.map(toAttempt);
  }

  async startAttempt(a: Omit<TemplateSyncAttemptRecord, 'id'>) {
    const inserted = await this.db
      .insertInto('template_sync_attempts')
      .values({
        template_kind: a.templateKind,
        template_name: a.templateName,
        major: a.major,
        commit: a.commit,
        tree: a.tree,
        started_at: a.startedAt,
        status: a.status,
        initial_revision: JSON.stringify(a.initialRevision),
        target_revision: JSON.stringify(a.targetRevision),
        events: eventsToJson(a.events),
        minor: a.minor,
      })
      .onConflict((oc) =>
        oc.columns(['template_kind', 'template_name', 'major', 'commit']).doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { attempt: toAttempt(inserted), created: true };
    const existing = await this.db
      .selectFrom('template_sync_attempts')
      .selectAll()
      .where('template_kind', '=', a.templateKind)
      .where('template_name', '=', a.templateName)
      .where('major', '=', a.major)
      .where('commit', '=', a.commit)
      .executeTakeFirstOrThrow();
    return { attempt: toAttempt(existing), created: false };
  }

  async updateAttempt(
    id: string,
    patch: Partial<Pick<TemplateSyncAttemptRecord, 'status' | 'events' | 'minor'>>,
    expected: readonly ResourceSyncStatus[],
  ) {
    const r = await this.db
      .updateTable('template_sync_attempts')
      .set({
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.events ? { events: eventsToJson(patch.events) } : {}),
        ...(patch.minor !== undefined ? { minor: patch.minor } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', [...expected])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async attemptOfVersion(kind: TemplateKind, name: string, major: number, minor: number) {
    const r = await this.db
      .selectFrom('template_sync_attempts')
      .selectAll()
      .where('template_kind', '=', kind)
      .where('template_name', '=', name)
      .where('major', '=', major)
      .where('minor', '=', minor)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? toAttempt(r) : undefined;
  }
}
