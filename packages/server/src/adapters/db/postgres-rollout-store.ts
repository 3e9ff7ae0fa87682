import {
  activeStatuses,
  isRolloutTerminal,
  rolloutSourcesOf,
  type RolloutStatus,
} from '@nucleon/core';
import { sql, type Kysely } from 'kysely';
import {
  ROLLOUT_QUEUE,
  type InstanceStart,
  type InstanceTransition,
  type RolloutInstanceRecord,
  type RolloutPatch,
  type RolloutRecord,
  type RolloutStore,
} from '../../ports/rollout-store.js';
import { Conflict, startResources, startResourcesTogether } from './resource-transitions.js';
import { toRollout, toRolloutInstance, type RolloutDb } from './rollout-rows.js';
import type { Database } from './schema.js';

type Tx = RolloutDb;

/**
 * A tick job for the rollout, due in `delayMs` (run_at is computed in SQL: one clock), or now when
 * `wakeIfEnded` and one of the rollout's deployments has ended since the step looked (the
 * deployment's end could not wake a step that was not enqueued yet). Claimed before other jobs
 * (priority 1, migration 0023).
 */
async function enqueueTick(
  tx: Tx,
  id: string,
  seq: number,
  delayMs: number,
  wakeIfEnded = false,
): Promise<void> {
  const later = sql<Date>`now() + (${Math.max(0, Math.round(delayMs))} * interval '1 millisecond')`;
  await tx
    .insertInto('jobs')
    .values({
      queue: ROLLOUT_QUEUE,
      payload: JSON.stringify({ rolloutId: id, seq }),
      max_attempts: 10,
      priority: 1,
      run_at: wakeIfEnded
        ? sql<Date>`case when exists (
            select 1 from rollout_instances i join deployments d
              on d.id = case when i.state = 'ROLLING_BACK' then i.rollback_deployment_id else i.deployment_id end
            where i.rollout_id = ${id} and i.state in ('IN_PROGRESS', 'ROLLING_BACK')
              and d.status not in (${sql.join(activeStatuses())}))
            then now() else ${later} end`
        : later,
    })
    .execute();
}

async function applyTransitions(
  tx: Tx,
  id: string,
  transitions: readonly InstanceTransition[],
  now: Date,
): Promise<void> {
  // One statement per round instead of one per transition, each row still guarded by its own
  // `from`. A step may move one instance twice (SUCCEEDED → FAILED → ROLLBACK_PENDING): the n-th
  // transition of each instance goes in the n-th round, so they apply in order.
  const rounds: InstanceTransition[][] = [];
  const seen = new Map<number, number>();
  for (const t of transitions) {
    const n = seen.get(t.position) ?? 0;
    seen.set(t.position, n + 1);
    (rounds[n] ??= []).push(t);
  }
  for (const round of rounds) {
    const rows = round.map((t) => ({
      position: t.position,
      to: t.to,
      froms: [...t.from],
      set_message: t.message !== undefined,
      message: t.message ?? null,
    }));
    await sql`
      update rollout_instances i set state = v.to, updated_at = ${now},
        message = case when v.set_message then v.message else i.message end
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(position integer, "to" text, froms text[], set_message boolean, message text)
      where i.rollout_id = ${id} and i.position = v.position and i.state = any(v.froms)`.execute(
      tx,
    );
  }
}

/** One instance's start as a row of the batched update in `startInstances`. */
function instanceRow(c: InstanceStart) {
  return {
    position: c.position,
    from: c.from,
    to: c.to,
    deployment_id: c.start.deployment.id,
    has_previous: c.previous !== undefined,
    from_major: c.previous?.major ?? null,
    from_minor: c.previous?.minor ?? null,
    from_spec: c.previous?.spec ?? null,
    from_settings: c.previous ? c.previous.settings : null,
  };
}

/** Locks the rollout row and says whether it is still running the step `seq`. */
async function lockRunning(tx: Tx, id: string, seq: number): Promise<boolean> {
  const row = await tx
    .selectFrom('rollouts')
    .select(['status', 'tick_seq'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row?.status === 'IN_PROGRESS' && Number(row.tick_seq) === seq;
}

/** Rollouts and their instances in PostgreSQL (or PGlite). */
export class PostgresRolloutStore implements RolloutStore {
  private readonly db: RolloutDb;
  constructor(db: Kysely<Database>) {
    this.db = db as unknown as RolloutDb;
  }

  async create(rollout: RolloutRecord, instances: RolloutInstanceRecord[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('rollouts')
        .values({
          id: rollout.id,
          template_kind: rollout.templateKind,
          template_name: rollout.templateName,
          target_major: rollout.targetMajor,
          target_minor: rollout.targetMinor,
          status: rollout.status,
          phase: rollout.phase,
          status_message: rollout.statusMessage,
          current_wave: rollout.currentWave,
          wave_count: rollout.waveCount,
          bake_until: rollout.bakeUntil,
          options: JSON.stringify(rollout.options),
          tick_seq: rollout.tickSeq,
          created_by: rollout.createdBy,
          client_token: rollout.clientToken,
          created_at: rollout.createdAt,
          last_modified_at: rollout.lastModifiedAt,
          completed_at: null,
        })
        .execute();
      // Chunks keep each statement's parameters well under PostgreSQL's limit.
      for (let i = 0; i < instances.length; i += 500) {
        await tx
          .insertInto('rollout_instances')
          .values(
            instances.slice(i, i + 500).map((r) => ({
              rollout_id: r.rolloutId,
              position: r.position,
              wave: r.wave,
              service_name: r.serviceName,
              instance_name: r.instanceName,
              environment_name: r.environmentName,
              state: r.state,
              message: r.message,
              deployment_id: null,
              rollback_deployment_id: null,
              from_major: r.fromMajor,
              from_minor: r.fromMinor,
              from_spec: null,
              from_settings: null,
              updated_at: r.updatedAt,
            })),
          )
          .execute();
      }
      await enqueueTick(tx, rollout.id, rollout.tickSeq, 0);
    });
  }

  async get(id: string) {
    const row = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRollout(row) : undefined;
  }

  async findByClientToken(token: string) {
    const row = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('client_token', '=', token)
      .executeTakeFirst();
    return row ? toRollout(row) : undefined;
  }

  async list(filter: { templateName?: string; status?: RolloutStatus }) {
    let q = this.db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.templateName) q = q.where('template_name', '=', filter.templateName);
    if (filter.status) q = q.where('status', '=', filter.status);
    return (await q.execute()).map(toRollout);
  }

  async listInstances(id: string) {
    const rows = await this.db
      .selectFrom('rollout_instances')
      .selectAll()
      .where('rollout_id', '=', id)
      .orderBy('position')
      .execute();
    return rows.map(toRolloutInstance);
  }

  async runningDeployments(id: string) {
    const { rows } = await sql<{
      position: number;
      id: string;
      status: string;
      status_message: string | null;
    }>`
      select i.position, d.id, d.status, d.status_message
      from rollout_instances i join deployments d
        on d.id = case when i.state = 'ROLLING_BACK' then i.rollback_deployment_id else i.deployment_id end
      where i.rollout_id = ${id} and i.state in ('IN_PROGRESS', 'ROLLING_BACK')`.execute(this.db);
    return new Map(
      rows.map((r) => [
        Number(r.position),
        { id: r.id, status: r.status, statusMessage: r.status_message },
      ]),
    );
  }

  async busyInstances(except?: string) {
    let q = this.db
      .selectFrom('rollout_instances as i')
      .innerJoin('rollouts as r', 'r.id', 'i.rollout_id')
      .select([
        'i.rollout_id as rolloutId',
        'i.service_name as serviceName',
        'i.instance_name as instanceName',
      ])
      .where('r.status', 'in', ['IN_PROGRESS', 'PAUSED'])
      .where('i.state', 'in', ['PENDING', 'IN_PROGRESS', 'ROLLBACK_PENDING', 'ROLLING_BACK']);
    if (except) q = q.where('r.id', '!=', except);
    return q.execute();
  }

  async recordOutcomes(id: string, transitions: InstanceTransition[]) {
    if (transitions.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      await applyTransitions(tx, id, transitions, new Date());
      await tx
        .updateTable('rollouts')
        .set({ last_modified_at: new Date() })
        .where('id', '=', id)
        .execute();
    });
  }

  async applyStep(id: string, seq: number, transitions: InstanceTransition[], patch: RolloutPatch) {
    return this.db.transaction().execute(async (tx) => {
      if (!(await lockRunning(tx, id, seq))) return false;
      const now = new Date();
      await applyTransitions(tx, id, transitions, now);
      await tx
        .updateTable('rollouts')
        .set({
          last_modified_at: now,
          ...(patch.phase ? { phase: patch.phase } : {}),
          ...(patch.currentWave !== undefined ? { current_wave: patch.currentWave } : {}),
          ...(patch.bakeUntil !== undefined ? { bake_until: patch.bakeUntil } : {}),
          ...(patch.statusMessage !== undefined ? { status_message: patch.statusMessage } : {}),
          ...(patch.status
            ? {
                status: patch.status,
                ...(isRolloutTerminal(patch.status) ? { completed_at: now } : {}),
              }
            : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', patch.status ? rolloutSourcesOf(patch.status) : ['IN_PROGRESS'])
        .execute();
      return true;
    });
  }

  async startInstance(
    id: string,
    seq: number,
    change: InstanceStart,
  ): Promise<'started' | 'busy' | 'stale'> {
    return this.db
      .transaction()
      .execute(async (tx) => {
        if (!(await lockRunning(tx, id, seq))) return 'stale' as const;
        const now = new Date();
        const r = await tx
          .updateTable('rollout_instances')
          .set({
            state: change.to,
            // A rollback keeps the reason the instance failed; a new deployment starts afresh.
            ...(change.to === 'IN_PROGRESS' ? { message: null } : {}),
            updated_at: now,
            ...(change.to === 'IN_PROGRESS'
              ? { deployment_id: change.start.deployment.id }
              : { rollback_deployment_id: change.start.deployment.id }),
            ...(change.previous
              ? {
                  from_major: change.previous.major,
                  from_minor: change.previous.minor,
                  from_spec: change.previous.spec,
                  from_settings: JSON.stringify(change.previous.settings),
                }
              : {}),
          })
          .where('rollout_id', '=', id)
          .where('position', '=', change.position)
          .where('state', '=', change.from)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return 'stale' as const;
        // The normal guarded start: the resource moves only from an idle status.
        await startResources(tx as unknown as Kysely<Database>, [change.start]);
        return 'started' as const;
      })
      .catch((error: unknown) => {
        if (error instanceof Conflict) return 'busy' as const;
        throw error;
      });
  }

  async startInstances(id: string, seq: number, changes: readonly InstanceStart[]) {
    const outcomes = new Map<number, 'started' | 'busy' | 'stale'>();
    if (changes.length === 0) return outcomes;
    if (changes.length > 1) {
      const together = await this.db
        .transaction()
        .execute(async (tx) => {
          if (!(await lockRunning(tx, id, seq))) return 'stale' as const;
          const now = new Date();
          const moved = await sql<{ position: number }>`
            update rollout_instances i set state = v.to, updated_at = ${now},
              message = case when v.to = 'IN_PROGRESS' then null else i.message end,
              deployment_id = case when v.to = 'IN_PROGRESS' then v.deployment_id else i.deployment_id end,
              rollback_deployment_id = case when v.to = 'ROLLING_BACK' then v.deployment_id else i.rollback_deployment_id end,
              from_major = case when v.has_previous then v.from_major else i.from_major end,
              from_minor = case when v.has_previous then v.from_minor else i.from_minor end,
              from_spec = case when v.has_previous then v.from_spec else i.from_spec end,
              from_settings = case when v.has_previous then v.from_settings else i.from_settings end
            from jsonb_to_recordset(${JSON.stringify(changes.map(instanceRow))}::jsonb) as v(
              position integer, "from" text, "to" text, deployment_id text, has_previous boolean,
              from_major integer, from_minor integer, from_spec text, from_settings jsonb)
            where i.rollout_id = ${id} and i.position = v.position and i.state = v.from
            returning i.position`.execute(tx);
          const started = new Set(moved.rows.map((r) => Number(r.position)));
          // The resource moves only from an idle status; one busy resource undoes the whole batch.
          await startResourcesTogether(
            tx as unknown as Kysely<Database>,
            changes.filter((c) => started.has(c.position)).map((c) => c.start),
          );
          return started;
        })
        .catch((error: unknown) => {
          if (error instanceof Conflict) return undefined;
          throw error;
        });
      if (together === 'stale') {
        for (const c of changes) outcomes.set(c.position, 'stale');
        return outcomes;
      }
      if (together) {
        for (const c of changes)
          outcomes.set(c.position, together.has(c.position) ? 'started' : 'stale');
        return outcomes;
      }
    }
    for (const c of changes) outcomes.set(c.position, await this.startInstance(id, seq, c));
    return outcomes;
  }

  async scheduleNext(id: string, seq: number, delayMs: number) {
    return this.db.transaction().execute(async (tx) => {
      if (!(await lockRunning(tx, id, seq))) return false;
      await tx
        .updateTable('rollouts')
        .set({ tick_seq: seq + 1 })
        .where('id', '=', id)
        .execute();
      await enqueueTick(tx, id, seq + 1, delayMs, true);
      return true;
    });
  }

  async setStatus(
    id: string,
    to: RolloutStatus,
    message: string | null,
    transitions: InstanceTransition[] = [],
  ) {
    return this.db.transaction().execute(async (tx) => {
      const now = new Date();
      const row = await tx
        .updateTable('rollouts')
        .set({
          status: to,
          tick_seq: sql<number>`tick_seq + 1`,
          last_modified_at: now,
          ...(message !== null ? { status_message: message } : {}),
          ...(isRolloutTerminal(to) ? { completed_at: now, phase: 'DONE' } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', rolloutSourcesOf(to))
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await applyTransitions(tx, id, transitions, now);
      if (to === 'IN_PROGRESS') await enqueueTick(tx, id, Number(row.tick_seq), 0);
      return toRollout(row);
    });
  }
}
