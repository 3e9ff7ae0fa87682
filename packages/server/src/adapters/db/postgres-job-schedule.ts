import { sql, type Kysely, type Transaction } from 'kysely';
import type { JobSchedule } from '../../ports/job-schedule.js';
import type { Database } from './schema.js';

/**
 * One periodic job's turns in `job_schedules` (the row is named after the job's queue). Every
 * change locks the row first, so processes starting together, or two jobs of the queue, agree on
 * one turn and one waiting job (as the drift schedule does, ADR 0023).
 */
export class PostgresJobSchedule implements JobSchedule {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly queue: string,
  ) {}

  async ensure(intervalSeconds: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('job_schedules')
        .values({ name: this.queue, next_run_at: sql`now()` })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      await this.lock(tx);
      // A shorter interval than the waiting turn takes effect now.
      await tx
        .updateTable('job_schedules')
        .set({
          next_run_at: sql`least(next_run_at, now() + ${intervalSeconds} * interval '1 second')`,
        })
        .where('name', '=', this.queue)
        .execute();
      await sql`update jobs set run_at = least(run_at, (select next_run_at from job_schedules where name = ${this.queue}))
        where queue = ${this.queue} and locked_by is null`.execute(tx);
      await this.enqueueUnlessWaiting(tx, undefined);
    });
  }

  async claimTurn(jobId: string, intervalSeconds: number) {
    return this.db.transaction().execute(async (tx) => {
      await this.lock(tx);
      const claimed = await tx
        .updateTable('job_schedules')
        .set({ next_run_at: sql`now() + ${intervalSeconds} * interval '1 second'` })
        .where('name', '=', this.queue)
        .where('next_run_at', '<=', sql<Date>`now()`)
        .executeTakeFirst();
      await this.enqueueUnlessWaiting(tx, jobId);
      return Number(claimed.numUpdatedRows) > 0;
    });
  }

  async finished(result: Record<string, unknown>) {
    await this.db
      .updateTable('job_schedules')
      .set({ last_result: JSON.stringify(result), last_run_at: sql`now()` })
      .where('name', '=', this.queue)
      .execute();
  }

  private lock(tx: Transaction<Database>) {
    return tx
      .selectFrom('job_schedules')
      .select('next_run_at')
      .where('name', '=', this.queue)
      .forUpdate()
      .executeTakeFirst();
  }

  /** One job of the queue (other than `self`) waits for the schedule's next turn. */
  private async enqueueUnlessWaiting(tx: Transaction<Database>, self: string | undefined) {
    let q = tx.selectFrom('jobs').select('id').where('queue', '=', this.queue);
    if (self) q = q.where('id', '!=', self);
    if (await q.executeTakeFirst()) return;
    await sql`insert into jobs (queue, payload, max_attempts, run_at)
      select ${this.queue}, '{}'::jsonb, 3, next_run_at from job_schedules where name = ${this.queue}`.execute(
      tx,
    );
  }
}
