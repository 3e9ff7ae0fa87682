import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { NewJob } from '../../ports/catalog-store.js';
import type {
  RepositorySyncAttempt,
  RepositorySyncRecord,
  RepositorySyncStore,
  SyncType,
} from '../../ports/repository-sync-store.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Database } from './schema.js';

type Row = Selectable<Database['repository_sync']>;

const jobRow = (job: NewJob) => ({
  queue: job.queue,
  payload: JSON.stringify(job.payload),
  max_attempts: job.maxAttempts,
});

/** Repository sync rows, branch tips and fetch attempts; webhook secrets sealed with the master key. */
export class PostgresRepositorySyncStore implements RepositorySyncStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  private toRecord(r: Row): RepositorySyncRecord {
    return {
      provider: r.provider,
      name: r.name,
      webhookId: r.webhook_id,
      webhookSecret: r.webhook_secret_ciphertext
        ? this.box.open(r.webhook_secret_ciphertext)
        : null,
      mirror: r.mirror,
    };
  }

  async ensure(provider: string, name: string, mirror: string) {
    await this.db
      .insertInto('repository_sync')
      .values({ provider, name, webhook_id: randomUUID(), mirror })
      .onConflict((oc) => oc.columns(['provider', 'name']).doNothing())
      .execute();
    return (await this.get(provider, name))!;
  }

  async get(provider: string, name: string) {
    const r = await this.db
      .selectFrom('repository_sync')
      .selectAll()
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? this.toRecord(r) : undefined;
  }

  async byWebhookId(id: string) {
    const r = await this.db
      .selectFrom('repository_sync')
      .selectAll()
      .where('webhook_id', '=', id)
      .executeTakeFirst();
    return r ? this.toRecord(r) : undefined;
  }

  async setWebhookSecret(provider: string, name: string, secret: string) {
    await this.db
      .updateTable('repository_sync')
      .set({ webhook_secret_ciphertext: this.box.seal(secret) })
      .where('provider', '=', provider)
      .where('name', '=', name)
      .execute();
  }

  async requestFetch(provider: string, name: string, queue: string) {
    // One waiting fetch per repository is enough: it fetches every branch when it runs.
    await sql`
      insert into jobs (queue, payload, max_attempts)
      select ${queue}, ${JSON.stringify({ provider, name })}::jsonb, 3
      where not exists (
        select 1 from jobs
        where queue = ${queue} and locked_by is null and attempts = 0
          and payload->>'provider' = ${provider} and payload->>'name' = ${name})`.execute(this.db);
  }

  async claimDuePolls(everyMs: number, queue: string, limit: number) {
    return this.db.transaction().execute(async (tx) => {
      const due = await sql<{ provider: string; name: string }>`
        select s.provider, s.name from repository_sync s
        where s.next_poll_at <= now()
          and (exists (select 1 from template_sync_configs t
                       where t.provider = s.provider and t.repository_name = s.name)
            or exists (select 1 from service_sync_configs v
                       where v.provider = s.provider and v.repository_name = s.name))
        order by s.next_poll_at
        limit ${limit}
        for update of s skip locked`.execute(tx);
      for (const r of due.rows) {
        await sql`update repository_sync
          set next_poll_at = now() + ${`${everyMs} milliseconds`}::interval
          where provider = ${r.provider} and name = ${r.name}`.execute(tx);
        await tx
          .insertInto('jobs')
          .values(
            jobRow({ queue, payload: { provider: r.provider, name: r.name }, maxAttempts: 3 }),
          )
          .execute();
      }
      return due.rows.length;
    });
  }

  async branchTip(provider: string, name: string, branch: string) {
    const r = await this.db
      .selectFrom('repository_branches')
      .select('commit')
      .where('provider', '=', provider)
      .where('name', '=', name)
      .where('branch', '=', branch)
      .executeTakeFirst();
    return r?.commit;
  }

  async moveBranch(
    move: { provider: string; name: string; branch: string; from: string | undefined; to: string },
    jobs: NewJob[],
  ) {
    return this.db.transaction().execute(async (tx) => {
      let moved: boolean;
      if (move.from === undefined) {
        const r = await tx
          .insertInto('repository_branches')
          .values({
            provider: move.provider,
            name: move.name,
            branch: move.branch,
            commit: move.to,
          })
          .onConflict((oc) => oc.columns(['provider', 'name', 'branch']).doNothing())
          .executeTakeFirst();
        moved = Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      } else {
        const r = await tx
          .updateTable('repository_branches')
          .set({ commit: move.to, moved_at: new Date() })
          .where('provider', '=', move.provider)
          .where('name', '=', move.name)
          .where('branch', '=', move.branch)
          .where('commit', '=', move.from)
          .executeTakeFirst();
        moved = Number(r.numUpdatedRows) > 0;
      }
      if (moved && jobs.length > 0) await tx.insertInto('jobs').values(jobs.map(jobRow)).execute();
      return moved;
    });
  }

  async recordAttempt(
    key: { provider: string; name: string; branch: string; syncType: SyncType },
    attempt: RepositorySyncAttempt,
  ) {
    const values = {
      started_at: attempt.startedAt,
      status: attempt.status,
      events: JSON.stringify(attempt.events.map((e) => ({ ...e, time: e.time.toISOString() }))),
    };
    await this.db
      .insertInto('repository_sync_attempts')
      .values({
        provider: key.provider,
        name: key.name,
        branch: key.branch,
        sync_type: key.syncType,
        ...values,
      })
      .onConflict((oc) =>
        oc.columns(['provider', 'name', 'branch', 'sync_type']).doUpdateSet(values),
      )
      .execute();
  }

  async latestAttempt(key: { provider: string; name: string; branch: string; syncType: SyncType }) {
    const r = await this.db
      .selectFrom('repository_sync_attempts')
      .selectAll()
      .where('provider', '=', key.provider)
      .where('name', '=', key.name)
      .where('branch', '=', key.branch)
      .where('sync_type', '=', key.syncType)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      startedAt: new Date(r.started_at),
      status: r.status as RepositorySyncAttempt['status'],
      events: r.events.map((e) => ({ ...e, time: new Date(e.time) })),
    };
  }
}
