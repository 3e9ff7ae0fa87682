import { coerceError, type Logger } from '@nucleon/core';
import type { JobHandler, JobQueue } from '../ports/job-queue.js';

export interface JobSweeperOptions {
  queue: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  batch?: number;
}

/**
 * Ends jobs whose attempts are exhausted: each one is leased (so several workers sweeping one
 * database never handle the same job twice), its handler ends its subject with a guarded store
 * method, then the job is removed. A crash in between leaves the job to the next sweep, where the
 * guarded end changes nothing and the job is removed.
 */
export class JobSweeper {
  constructor(private readonly o: JobSweeperOptions) {}

  /** One sweep; returns how many jobs it ended. Never throws. */
  async sweep(): Promise<number> {
    const queues = Object.keys(this.o.handlers);
    let jobs;
    try {
      jobs = await this.o.queue.claimExhausted(
        queues,
        this.o.workerId,
        this.o.leaseMs,
        this.o.batch ?? 20,
      );
    } catch (error) {
      this.o.logger.warn('could not look for exhausted jobs', {
        error: coerceError(error).message,
      });
      return 0;
    }
    let ended = 0;
    for (const job of jobs) {
      const log = this.o.logger.child({ jobId: job.id, component: job.queue });
      try {
        await this.o.handlers[job.queue]!.exhausted(job);
        await this.o.queue.complete(job.id, this.o.workerId);
        log.warn('job ended after its attempts ran out', {
          attempts: job.attempts,
          lastError: job.lastError,
        });
        ended++;
      } catch (error) {
        // The lease lapses and the next sweep tries again.
        log.warn('could not end an exhausted job; will try again', {
          error: coerceError(error).message,
        });
      }
    }
    return ended;
  }
}
