import { sql, type Kysely, type Transaction } from 'kysely';
import {
  DRIFT_SCAN_QUEUE,
  type DriftScheduleStore,
  type StoredDriftReport,
} from '../../ports/drift-schedule-store.js';
import type { Database } from './schema.js';

const ID = 'default';

/**
 * The drift schedule in SQL. Every change locks the schedule row first, so several processes
 * starting at once, or two `drift-scan` jobs, agree on one turn and one waiting job.
 */
export class PostgresDriftScheduleStore implements DriftScheduleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async ensure(intervalSeconds: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('drift_schedule')
        .values({ id: ID, next_run_at: sql`now()` })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await this.lock(tx);
      // A shorter interval than the waiting turn takes effect now.
      await tx
        .updateTable('drift_schedule')
        .set({
          next_run_at: sql`least(next_run_at, now() + ${intervalSeconds} * interval '1 second')`,
        })
        .where('id', '=', ID)
        .execute();
      await sql`update jobs set run_at = least(run_at, (select next_run_at from drift_schedule where id = ${ID}))
        where queue = ${DRIFT_SCAN_QUEUE} and locked_by is null`.execute(tx);
      await this.enqueueUnlessWaiting(tx, undefined);
    });
  }

  async claimTurn(jobId: string, intervalSeconds: number) {
    return this.db.transaction().execute(async (tx) => {
      await this.lock(tx);
      const claimed = await tx
        .updateTable('drift_schedule')
        .set({ next_run_at: sql`now() + ${intervalSeconds} * interval '1 second'` })
        .where('id', '=', ID)
        .where('next_run_at', '<=', sql<Date>`now()`)
        .executeTakeFirst();
      await this.enqueueUnlessWaiting(tx, jobId);
      return Number(claimed.numUpdatedRows) > 0;
    });
  }

  async save(report: StoredDriftReport['report'], checkedAt: Date) {
    await this.db
      .updateTable('drift_schedule')
      .set({ last_report: JSON.stringify(report), last_run_at: checkedAt })
      .where('id', '=', ID)
      .execute();
  }

  async last() {
    const r = await this.db
      .selectFrom('drift_schedule')
      .select(['last_run_at', 'last_report'])
      .where('id', '=', ID)
      .executeTakeFirst();
    if (!r?.last_run_at || !r.last_report) return undefined;
    return {
      checkedAt: new Date(r.last_run_at),
      report: r.last_report as StoredDriftReport['report'],
    };
  }

  private lock(tx: Transaction<Database>) {
    return tx
      .selectFrom('drift_schedule')
      .select('next_run_at')
      .where('id', '=', ID)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One `drift-scan` job (other than `self`) waits for the schedule's next turn. */
  private async enqueueUnlessWaiting(tx: Transaction<Database>, self: string | undefined) {
    let q = tx.selectFrom('jobs').select('id').where('queue', '=', DRIFT_SCAN_QUEUE);
    if (self) q = q.where('id', '!=', self);
    if (await q.executeTakeFirst()) return;
    await sql`insert into jobs (queue, payload, max_attempts, run_at)
      select ${DRIFT_SCAN_QUEUE}, '{}'::jsonb, 3, next_run_at from drift_schedule where id = ${ID}`.execute(
      tx,
    );
  }
}
