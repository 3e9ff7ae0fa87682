import { randomUUID } from 'node:crypto';
import { coerceError, type Logger } from '@nucleon/core';
import type { ClaimedJob, JobQueue } from '../ports/job-queue.js';

/** A job handler; throw a `RetryableJobError` to have the job tried again with backoff. */
export type JobHandler = (job: ClaimedJob, signal: AbortSignal) => Promise<void>;

export class RetryableJobError extends Error {
  override readonly name = 'RetryableJobError';
}

export interface JobWorkerOptions {
  queue: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  logger: Logger;
  concurrency: number;
  leaseMs?: number;
  pollMs?: number;
}

/**
 * Claims jobs from the database and runs them, holding a lease that it extends while the job
 * runs (a heartbeat). If this process dies, the lease lapses and another worker claims the job.
 */
export class JobWorker {
  private readonly id = `worker-${randomUUID()}`;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  private constructor(private readonly o: Required<JobWorkerOptions>) {}

  static create(options: JobWorkerOptions): JobWorker {
    return new JobWorker({ leaseMs: 30_000, pollMs: 250, ...options });
  }

  start(): void {
    if (this.o.concurrency <= 0 || this.loop) return;
    this.loop = this.run();
  }

  /** Asks the loop to look for work now (called after enqueueing in this process). */
  poke(): void {
    this.wake?.();
  }

  /** Stops claiming, lets running jobs finish, then returns. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  private async run(): Promise<void> {
    const queues = Object.keys(this.o.handlers);
    while (!this.abort.signal.aborted) {
      const free = this.o.concurrency - this.running.size;
      let claimed: ClaimedJob[] = [];
      if (free > 0) {
        try {
          claimed = await this.o.queue.claim(queues, this.id, this.o.leaseMs, free);
        } catch (error) {
          this.o.logger.warn('could not claim jobs', { error: coerceError(error).message });
        }
      }
      for (const job of claimed) {
        const p = this.execute(job).finally(() => {
          this.running.delete(p);
          this.wake?.();
        });
        this.running.add(p);
      }
      if (claimed.length === 0 || this.running.size >= this.o.concurrency) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.o.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const log = this.o.logger.child({ jobId: job.id, attempt: job.attempts, component: job.queue });
    const heartbeat = setInterval(() => {
      void this.o.queue.extendLease(job.id, this.id, this.o.leaseMs).catch(() => undefined);
    }, Math.max(1000, this.o.leaseMs / 3));
    try {
      const handler = this.o.handlers[job.queue];
      if (!handler) throw new Error(`no handler for queue ${job.queue}`);
      await handler(job, this.abort.signal);
      await this.o.queue.complete(job.id);
    } catch (thrown) {
      const error = coerceError(thrown);
      const retryable = error instanceof RetryableJobError;
      log.warn('job failed', { error: error.message, retryable });
      await this.o.queue.fail(job.id, error.message, retryable).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
