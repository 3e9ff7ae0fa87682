import { randomUUID } from 'node:crypto';
import { coerceError, type Logger } from '@nucleon/core';
import {
  JobInterruptedError,
  NonRetryableJobError,
  type ClaimedJob,
  type JobHandler,
  type JobQueue,
} from '../ports/job-queue.js';
import { JobSweeper } from './job-sweeper.js';

export type { JobHandler } from '../ports/job-queue.js';

export interface JobWorkerOptions {
  queue: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  logger: Logger;
  concurrency: number;
  leaseMs?: number;
  pollMs?: number;
  /** How often the sweeper looks for exhausted jobs. */
  sweepMs?: number;
  /** How long stop() lets running jobs finish before it aborts them and hands them back. */
  graceMs?: number;
  /** A fixed worker id (tests); a random one by default. */
  workerId?: string;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Claims jobs from the database and runs them, holding a lease that it extends while the job
 * runs (a heartbeat). If this process dies, the lease lapses and another worker claims the job; if
 * the heartbeat finds the lease gone, the job's signal aborts and its result is left to the worker
 * that holds it now. A sweeper ends jobs whose attempts ran out.
 */
export class JobWorker {
  readonly id: string;
  private readonly running = new Map<string, Running>();
  private readonly stopping = new AbortController();
  private readonly sweeper: JobSweeper;
  private loop: Promise<void> | undefined;
  private sweepLoop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A poke that came while the loop was busy claiming: look again before sleeping. */
  private poked = false;
  private wakeSweeper: (() => void) | undefined;
  private sweepAgain = false;
  /** When the claim loop last went round (epoch ms); undefined until it runs. Read by /readyz. */
  lastTurnAt: number | undefined;

  private constructor(
    private readonly o: Required<Omit<JobWorkerOptions, 'workerId'>> & {
      workerId?: string | undefined;
    },
  ) {
    this.id = o.workerId ?? `worker-${randomUUID()}`;
    this.sweeper = new JobSweeper({
      queue: o.queue,
      handlers: o.handlers,
      logger: o.logger,
      workerId: this.id,
      leaseMs: o.leaseMs,
    });
  }

  static create(options: JobWorkerOptions): JobWorker {
    return new JobWorker({
      leaseMs: 30_000,
      pollMs: 250,
      sweepMs: 5_000,
      graceMs: 10_000,
      ...options,
    });
  }

  start(): void {
    if (this.o.concurrency <= 0 || this.loop) return;
    this.loop = this.run();
    this.sweepLoop = this.sweepForever();
  }

  /** Jobs this worker is running now, and how many it may run at once (for /metrics). */
  get activeJobs(): number {
    return this.running.size;
  }

  get concurrency(): number {
    return this.o.concurrency;
  }

  /** Is the claim loop going round (it turns at least every poll interval, or after each claim)? */
  alive(withinMs: number): boolean {
    if (this.o.concurrency <= 0) return true;
    return this.lastTurnAt !== undefined && Date.now() - this.lastTurnAt <= withinMs;
  }

  /** Asks the loop to look for work now (called after enqueueing in this process). */
  poke(): void {
    if (this.wake) this.wake();
    else this.poked = true;
  }

  /**
   * Stops claiming, gives running jobs `graceMs` to finish, then aborts the rest and hands their
   * jobs back (their attempt does not count as a failure), so another worker or the next start
   * resumes or fails them per their engine's guarantee.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    this.wakeSweeper?.();
    await Promise.all([this.loop, this.sweepLoop]);
    const settled = () =>
      Promise.allSettled([...this.running.values()].map((r) => r.done)).then(() => true);
    if (
      this.running.size === 0 ||
      (await Promise.race([settled(), sleep(this.o.graceMs).then(() => false)]))
    )
      return;
    this.o.logger.warn('grace period over: aborting running jobs and handing them back', {
      jobs: [...this.running.keys()],
    });
    for (const r of this.running.values()) r.controller.abort(new JobInterruptedError('stopping'));
    // Handlers honour the signal (commands' process groups are killed); bound the wait anyway.
    if (await Promise.race([settled(), sleep(Math.max(1000, this.o.graceMs)).then(() => false)]))
      return;
    for (const r of this.running.values()) {
      await this.o.queue.release(r.job.id, this.id).catch((error: unknown) =>
        this.o.logger.warn('could not hand a job back', {
          jobId: r.job.id,
          error: coerceError(error).message,
        }),
      );
    }
  }

  private async run(): Promise<void> {
    const queues = Object.keys(this.o.handlers);
    while (!this.stopping.signal.aborted) {
      this.lastTurnAt = Date.now();
      const free = this.o.concurrency - this.running.size;
      let claimed: ClaimedJob[] = [];
      this.poked = false;
      if (free > 0) {
        try {
          claimed = await this.o.queue.claim(queues, this.id, this.o.leaseMs, free);
        } catch (error) {
          this.o.logger.warn('could not claim jobs', { error: coerceError(error).message });
        }
      }
      for (const job of claimed) {
        const controller = new AbortController();
        const done = this.execute(job, controller).finally(() => {
          this.running.delete(job.id);
          this.wake?.();
        });
        this.running.set(job.id, { job, controller, done });
      }
      if (
        (claimed.length === 0 || this.running.size >= this.o.concurrency) &&
        !(this.poked && this.running.size < this.o.concurrency)
      ) {
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

  private async sweepForever(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      this.sweepAgain = false;
      await this.sweeper.sweep();
      if (this.sweepAgain) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.sweepMs);
        this.wakeSweeper = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeSweeper = undefined;
    }
  }

  /** Extends the lease every third of it; aborts the job when the lease is found lost (or cannot be proven held). */
  private heartbeat(job: ClaimedJob, controller: AbortController, log: Logger): () => void {
    let heldUntil = Date.now() + this.o.leaseMs;
    let beating = false;
    const lost = () => {
      if (controller.signal.aborted) return;
      log.warn(
        'lost the job’s lease: stopping its work; the worker that holds it now decides its result',
      );
      controller.abort(new JobInterruptedError('lease-lost'));
    };
    const timer = setInterval(
      () => {
        if (beating || controller.signal.aborted) return;
        beating = true;
        const started = Date.now();
        this.o.queue
          .extendLease(job.id, this.id, this.o.leaseMs)
          .then(
            (held) => {
              if (held) heldUntil = started + this.o.leaseMs;
              else lost();
            },
            (error: unknown) => {
              log.warn('could not extend the job’s lease', { error: coerceError(error).message });
              if (Date.now() >= heldUntil) lost();
            },
          )
          .finally(() => {
            beating = false;
          });
      },
      Math.max(100, Math.floor(this.o.leaseMs / 3)),
    );
    return () => clearInterval(timer);
  }

  private async execute(job: ClaimedJob, controller: AbortController): Promise<void> {
    const deploymentId = job.payload.deploymentId;
    const log = this.o.logger.child({
      jobId: job.id,
      attempt: job.attempts,
      component: job.queue,
      ...(typeof deploymentId === 'string' ? { deploymentId } : {}),
    });
    const stopBeating = this.heartbeat(job, controller, log);
    let failure: Error | undefined;
    try {
      const handler = this.o.handlers[job.queue];
      if (!handler) throw new NonRetryableJobError(`no handler for queue ${job.queue}`);
      await handler.run(job, controller.signal);
    } catch (thrown) {
      failure = coerceError(thrown);
    } finally {
      stopBeating();
    }
    try {
      await this.settle(job, controller.signal, failure, log);
    } catch (error) {
      // The lease lapses and the job is claimed again (or swept).
      log.warn('could not record the job’s outcome', { error: coerceError(error).message });
    }
  }

  private async settle(
    job: ClaimedJob,
    signal: AbortSignal,
    failure: Error | undefined,
    log: Logger,
  ): Promise<void> {
    const reason = signal.reason instanceof JobInterruptedError ? signal.reason.reason : undefined;
    if (reason === 'lease-lost') return;
    if (reason === 'stopping') {
      if (await this.o.queue.release(job.id, this.id)) log.info('job handed back');
      return;
    }
    if (!failure) {
      if (!(await this.o.queue.complete(job.id, this.id)))
        log.warn('job finished after its lease was lost; left to the worker that holds it');
      return;
    }
    const retryable = !(failure instanceof NonRetryableJobError);
    const last = !retryable || job.attempts >= job.maxAttempts;
    log.warn('job failed', {
      error: failure.message,
      retryable,
      attemptsLeft: last ? 0 : job.maxAttempts - job.attempts,
    });
    const held = await this.o.queue.fail(job.id, this.id, failure.message, retryable);
    if (held && last) this.sweepSoon();
  }

  /** Ends exhausted jobs now rather than at the next periodic sweep. */
  private sweepSoon(): void {
    this.sweepAgain = true;
    this.wakeSweeper?.();
  }
}
