import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NewJob } from '../../ports/catalog-store.js';
import type { ClaimedJob, JobQueue } from '../../ports/job-queue.js';
import type { Database } from '../db/schema.js';

interface JobRow {
  id: string;
  queue: string;
  payload: Record<string, unknown> | string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}

function toClaimed(r: JobRow): ClaimedJob {
  return {
    id: String(r.id),
    queue: r.queue,
    payload:
      typeof r.payload === 'string'
        ? (JSON.parse(r.payload) as Record<string, unknown>)
        : r.payload,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
  };
}

const leaseUntil = (leaseMs: number): RawBuilder<Date> =>
  sql<Date>`now() + (${leaseMs} * interval '1 millisecond')`;

/**
 * A job queue in a plain table, claimed with `FOR UPDATE SKIP LOCKED` so any number of workers
 * on one PostgreSQL share it; a job whose lease expires (its worker died) is claimed again.
 * Every change to a claimed job is guarded by `locked_by`: a worker that lost its lease changes
 * nothing. Backoff is computed in SQL (see graphile-worker's failJobs). Ready jobs are claimed by
 * priority, then oldest first (migration 0023): a rollout's step is not stuck behind the
 * deployments it started.
 */
export class PostgresJobQueue implements JobQueue {
  constructor(private readonly db: Kysely<Database>) {}

  async enqueue(job: NewJob): Promise<void> {
    await this.db
      .insertInto('jobs')
      .values({
        queue: job.queue,
        payload: JSON.stringify(job.payload),
        max_attempts: job.maxAttempts,
      })
      .execute();
  }

  async claim(
    queues: readonly string[],
    workerId: string,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimedJob[]> {
    if (queues.length === 0 || limit <= 0) return [];
    const result = await sql<JobRow>`
      with ready as (
        select id from jobs
        where queue in (${sql.join([...queues])})
          and run_at <= now()
          and (locked_until is null or locked_until < now())
          and attempts < max_attempts
        order by priority desc, run_at, id
        limit ${limit}
        for update skip locked
      )
      update jobs set locked_by = ${workerId},
        locked_until = ${leaseUntil(leaseMs)},
        attempts = jobs.attempts + 1
      from ready where jobs.id = ready.id
      returning jobs.id, jobs.queue, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.last_error`.execute(
      this.db,
    );
    return result.rows.map(toClaimed);
  }

  async claimExhausted(
    queues: readonly string[],
    workerId: string,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimedJob[]> {
    if (queues.length === 0 || limit <= 0) return [];
    const result = await sql<JobRow>`
      with exhausted as (
        select id from jobs
        where queue in (${sql.join([...queues])})
          and (locked_until is null or locked_until < now())
          and attempts >= max_attempts
        order by id
        limit ${limit}
        for update skip locked
      )
      update jobs set locked_by = ${workerId}, locked_until = ${leaseUntil(leaseMs)}
      from exhausted where jobs.id = exhausted.id
      returning jobs.id, jobs.queue, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.last_error`.execute(
      this.db,
    );
    return result.rows.map(toClaimed);
  }

  async extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ locked_until: leaseUntil(leaseMs) })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async complete(id: string, workerId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('jobs')
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async fail(id: string, workerId: string, error: string, retryable: boolean): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({
        last_error: error.slice(0, 4000),
        locked_by: null,
        locked_until: null,
        // exponential backoff: 2^attempts seconds, capped at 5 minutes
        run_at: sql`now() + (least(power(2, attempts), 300) * interval '1 second')`,
        ...(retryable ? {} : { attempts: sql`greatest(attempts, max_attempts)` }),
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async release(id: string, workerId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({
        locked_by: null,
        locked_until: null,
        run_at: sql`now()`,
        max_attempts: sql`max_attempts + 1`,
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
