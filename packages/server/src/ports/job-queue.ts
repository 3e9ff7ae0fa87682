import type { NewJob } from './catalog-store.js';

export interface ClaimedJob {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

/** Jobs claimed from the database with leases (FOR UPDATE SKIP LOCKED). */
export interface JobQueue {
  enqueue(job: NewJob): Promise<void>;
  /** Claims up to `limit` ready jobs of the given queues for `leaseMs`. */
  claim(queues: readonly string[], workerId: string, leaseMs: number, limit: number): Promise<ClaimedJob[]>;
  extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean>;
  complete(id: string): Promise<void>;
  /** Records a failure; the job is retried with backoff until its attempts run out. */
  fail(id: string, error: string, retryable: boolean): Promise<void>;
}
