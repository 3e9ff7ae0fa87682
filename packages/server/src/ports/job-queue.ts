import type { NewJob } from './catalog-store.js';

export interface ClaimedJob {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  /** Times the job was claimed, this claim included. */
  attempts: number;
  maxAttempts: number;
  /** The error the last failed attempt recorded; null when earlier attempts were interrupted. */
  lastError: string | null;
}

/**
 * Jobs claimed from the database with leases (FOR UPDATE SKIP LOCKED). Every operation on a
 * claimed job names the worker that claimed it and changes nothing unless that worker still holds
 * the lease; it returns whether it did, so a worker that lost its lease learns it and stops.
 */
export interface JobQueue {
  enqueue(job: NewJob): Promise<void>;
  /** Claims up to `limit` ready jobs of the given queues that have attempts left, for `leaseMs`. */
  claim(
    queues: readonly string[],
    workerId: string,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimedJob[]>;
  /**
   * Claims up to `limit` jobs whose attempts are exhausted and whose lease is free (no worker is
   * running them), for `leaseMs`, without counting an attempt: the sweeper ends their subject.
   */
  claimExhausted(
    queues: readonly string[],
    workerId: string,
    leaseMs: number,
    limit: number,
  ): Promise<ClaimedJob[]>;
  extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean>;
  /** Removes a finished job. */
  complete(id: string, workerId: string): Promise<boolean>;
  /**
   * Records a failure and frees the lease. A retryable failure runs again after a backoff computed
   * in SQL while attempts remain; a non-retryable one exhausts the attempts at once.
   */
  fail(id: string, workerId: string, error: string, retryable: boolean): Promise<boolean>;
  /**
   * Hands a job back (the worker is stopping): frees the lease without the attempt counting
   * against the job's attempts. The attempt still shows in `attempts`, so a handler can tell that
   * an earlier run was interrupted.
   */
  release(id: string, workerId: string): Promise<boolean>;
}

/**
 * What a queue's jobs do. `run` may throw: the job is tried again with backoff until its attempts
 * run out, unless it throws a `NonRetryableJobError`, which ends it at once. Either way, once no
 * attempt is left, `exhausted` ends the job's subject (fails its deployment or template version).
 */
export interface JobHandler {
  /**
   * Runs one attempt. `signal` aborts when this worker lost the job's lease (another worker may
   * hold it now) or is stopping: stop the work and record no result.
   */
  run(job: ClaimedJob, signal: AbortSignal): Promise<void>;
  /** Ends the subject of a job with no attempts left; guarded (only if still active), safe to repeat. */
  exhausted(job: ClaimedJob): Promise<void>;
}

/** Thrown by a job's handler when trying again cannot help; the job ends at once. */
export class NonRetryableJobError extends Error {
  override readonly name = 'NonRetryableJobError';
}

/** The reason a worker aborts a running job's signal; the handler stops and records no result. */
export class JobInterruptedError extends Error {
  override readonly name = 'JobInterruptedError';
  constructor(readonly reason: 'lease-lost' | 'stopping') {
    super(
      reason === 'lease-lost'
        ? 'this worker lost the job’s lease; another worker may run it now'
        : 'the worker is stopping; the job is handed back',
    );
  }
}
