import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '@nucleon/core';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
  waitFor,
} from '@nucleon/test-utils';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/adapters/db/database.js';
import { PostgresCatalogStore } from '../src/adapters/db/postgres-catalog-store.js';
import { PostgresBundleStore } from '../src/adapters/db/postgres-bundle-store.js';
import { TemplateBundleChecker } from '../src/adapters/bundles/template-bundle-checker.js';
import { PostgresJobQueue } from '../src/adapters/queue/postgres-job-queue.js';
import { registrationJobs } from '../src/app/register-template-version.js';
import { REGISTRATION_QUEUE, TemplatesService } from '../src/app/templates-service.js';
import { VersionUsage, noResourcesYet } from '../src/app/version-usage.js';
import { systemClock } from '../src/ports/clock.js';
import {
  JobInterruptedError,
  NonRetryableJobError,
  type ClaimedJob,
  type JobHandler,
} from '../src/ports/job-queue.js';
import { JobWorker } from '../src/worker/job-worker.js';

let queueSeq = 0;
const freshQueue = () => `test-${Date.now()}-${queueSeq++}`;

/** Records every log line so tests can see what the worker reported. */
function recordingLogger(lines: string[]): Logger {
  const make = (): Logger => ({
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m, meta) => lines.push(`warn ${m} ${JSON.stringify(meta ?? {})}`),
    error: (m, meta) => lines.push(`error ${m} ${JSON.stringify(meta ?? {})}`),
    child: () => make(),
  });
  return make();
}

for (const dialect of testDialects()) {
  describe(`job queue and worker (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let handle: DatabaseHandle;
    let queue: PostgresJobQueue;
    let dir: string;
    let pg: { url: string; drop(): Promise<void> } | undefined;
    const workers: JobWorker[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nucleon-queue-'));
      pg = dialect === 'postgres' ? await createTestDatabase() : undefined;
      handle = await openDatabase({ dataDir: dir, databaseUrl: pg?.url });
      await migrateToLatest(handle.db);
      queue = new PostgresJobQueue(handle.db);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    });
    afterAll(async () => {
      await handle?.close();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const row = async (q: string) =>
      handle.db
        .selectFrom('jobs')
        .select([
          'id',
          'attempts',
          'max_attempts',
          'locked_by',
          'last_error',
          sql<boolean>`run_at > now()`.as('later'),
          sql<number>`extract(epoch from run_at - now())`.as('delay'),
        ])
        .where('queue', '=', q)
        .executeTakeFirst();
    const start = (
      handlers: Record<string, JobHandler>,
      options: Partial<Parameters<typeof JobWorker.create>[0]> = {},
    ) => {
      const w = JobWorker.create({
        queue,
        handlers,
        logger: silentLogger,
        concurrency: 2,
        pollMs: 20,
        sweepMs: 60_000,
        leaseMs: 30_000,
        ...options,
      });
      workers.push(w);
      w.start();
      return w;
    };
    const noExhaust = async () => {
      throw new Error('not expected to be exhausted');
    };

    it('a failure frees the lease and backs off in SQL, longer each attempt; non-retryable exhausts the attempts', async () => {
      const q = freshQueue();
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 5 });
      const [first] = await queue.claim([q], 'w1', 30_000, 1);
      expect(first).toMatchObject({ attempts: 1, maxAttempts: 5, lastError: null });
      expect(await queue.fail(first!.id, 'w1', 'boom 1', true)).toBe(true);
      const afterFirst = await row(q);
      expect(afterFirst).toMatchObject({
        attempts: 1,
        locked_by: null,
        last_error: 'boom 1',
        later: true,
      });
      expect(await queue.claim([q], 'w1', 30_000, 1)).toEqual([]);

      // Time passes: the job is ready again and fails once more; its backoff is longer.
      await handle.db
        .updateTable('jobs')
        .set({ run_at: sql`now()` })
        .where('queue', '=', q)
        .execute();
      const [second] = await queue.claim([q], 'w1', 30_000, 1);
      expect(second).toMatchObject({ attempts: 2, lastError: 'boom 1' });
      await queue.fail(second!.id, 'w1', 'boom 2', true);
      const afterSecond = await row(q);
      expect(Number(afterSecond!.delay)).toBeGreaterThan(Number(afterFirst!.delay));

      await handle.db
        .updateTable('jobs')
        .set({ run_at: sql`now()` })
        .where('queue', '=', q)
        .execute();
      const [third] = await queue.claim([q], 'w1', 30_000, 1);
      await queue.fail(third!.id, 'w1', 'bad input', false);
      expect(await row(q)).toMatchObject({ attempts: 5, max_attempts: 5, last_error: 'bad input' });
      await handle.db
        .updateTable('jobs')
        .set({ run_at: sql`now()` })
        .where('queue', '=', q)
        .execute();
      expect(await queue.claim([q], 'w1', 30_000, 1)).toEqual([]);
      const [exhausted] = await queue.claimExhausted([q], 'sweeper', 30_000, 5);
      expect(exhausted).toMatchObject({ attempts: 5, lastError: 'bad input' });
      // A second sweeper does not get the same job while the first holds it.
      expect(await queue.claimExhausted([q], 'sweeper-2', 30_000, 5)).toEqual([]);
      expect(await queue.complete(exhausted!.id, 'sweeper')).toBe(true);
      expect(await row(q)).toBeUndefined();
    });

    it('every operation checks the lease holder: a worker whose lease expired cannot touch the job another worker claimed', async () => {
      const q = freshQueue();
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 3 });
      const [a] = await queue.claim([q], 'worker-a', 50, 1);
      const [b] = await waitFor(
        async () => {
          const got = await queue.claim([q], 'worker-b', 30_000, 1);
          return got.length ? got : undefined;
        },
        { what: 'the lease of worker-a to expire' },
      );
      expect(b!.id).toBe(a!.id);
      expect(b!.attempts).toBe(2);
      expect(await queue.extendLease(a!.id, 'worker-a', 30_000)).toBe(false);
      expect(await queue.complete(a!.id, 'worker-a')).toBe(false);
      expect(await queue.fail(a!.id, 'worker-a', 'late failure', true)).toBe(false);
      expect(await queue.release(a!.id, 'worker-a')).toBe(false);
      expect(await row(q)).toMatchObject({ locked_by: 'worker-b', attempts: 2, last_error: null });
      expect(await queue.extendLease(b!.id, 'worker-b', 30_000)).toBe(true);
      expect(await queue.complete(b!.id, 'worker-b')).toBe(true);
      expect(await row(q)).toBeUndefined();
    });

    it('a worker retries a failing job with backoff until it succeeds', async () => {
      const q = freshQueue();
      const seen: number[] = [];
      start({
        [q]: {
          run: async (job) => {
            seen.push(job.attempts);
            if (job.attempts === 1) throw new Error('connection reset by peer');
          },
          exhausted: noExhaust,
        },
      });
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 3 });
      await waitFor(
        async () => ((await row(q)) === undefined && seen.length === 2 ? true : undefined),
        { what: 'the retried job to complete' },
      );
      expect(seen).toEqual([1, 2]);
    });

    it('a NonRetryableJobError ends the job at once: no second attempt, and its subject is ended with the error', async () => {
      const q = freshQueue();
      const runs: number[] = [];
      const ended: ClaimedJob[] = [];
      start(
        {
          [q]: {
            run: async (job) => {
              runs.push(job.attempts);
              throw new NonRetryableJobError('the template is broken');
            },
            exhausted: async (job) => {
              ended.push(job);
            },
          },
        },
        { sweepMs: 600_000 },
      );
      await queue.enqueue({ queue: q, payload: { n: 1 }, maxAttempts: 5 });
      await waitFor(async () => ((await row(q)) === undefined ? true : undefined), {
        what: 'the job to end',
      });
      expect(runs).toEqual([1]);
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatchObject({ payload: { n: 1 }, lastError: 'the template is broken' });
    });

    it('a worker that finds its lease lost aborts the handler and leaves the job to the worker that holds it', async () => {
      const q = freshQueue();
      const lines: string[] = [];
      let reason: unknown;
      start(
        {
          [q]: {
            run: (_job, signal) =>
              new Promise<void>((resolve) => {
                signal.addEventListener('abort', () => {
                  reason = signal.reason;
                  resolve();
                });
              }),
            exhausted: noExhaust,
          },
        },
        { leaseMs: 300, logger: recordingLogger(lines) },
      );
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 3 });
      await waitFor(async () => ((await row(q))?.locked_by ? true : undefined), {
        what: 'the job to be claimed',
      });
      // Another worker took the job over (as after an expired lease).
      await handle.db
        .updateTable('jobs')
        .set({ locked_by: 'worker-b', locked_until: sql`now() + interval '1 hour'` })
        .where('queue', '=', q)
        .execute();
      await waitFor(async () => (reason ? true : undefined), { what: 'the handler to be aborted' });
      expect(reason).toBeInstanceOf(JobInterruptedError);
      expect((reason as JobInterruptedError).reason).toBe('lease-lost');
      await waitFor(async () =>
        lines.some((l) => l.includes('lost the job’s lease')) ? true : undefined,
      );
      expect(await row(q)).toMatchObject({ locked_by: 'worker-b', attempts: 1, last_error: null });
    });

    it('a heartbeat that cannot reach the database is logged, and the work stops once the lease cannot be proven held', async () => {
      const q = freshQueue();
      const lines: string[] = [];
      let reason: unknown;
      const unreachable = Object.create(queue) as PostgresJobQueue;
      unreachable.extendLease = () =>
        Promise.reject(new Error('Connection terminated unexpectedly'));
      const w = JobWorker.create({
        queue: unreachable,
        handlers: {
          [q]: {
            run: (_job, signal) =>
              new Promise<void>((resolve) => {
                signal.addEventListener('abort', () => {
                  reason = signal.reason;
                  resolve();
                });
              }),
            exhausted: noExhaust,
          },
        },
        logger: recordingLogger(lines),
        concurrency: 1,
        pollMs: 20,
        sweepMs: 60_000,
        leaseMs: 300,
      });
      workers.push(w);
      w.start();
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 3 });
      await waitFor(async () => (reason ? true : undefined), { what: 'the handler to be aborted' });
      expect((reason as JobInterruptedError).reason).toBe('lease-lost');
      expect(
        lines.some(
          (l) =>
            l.includes('could not extend the job’s lease') &&
            l.includes('Connection terminated unexpectedly'),
        ),
      ).toBe(true);
    });

    it('stop() gives running jobs the grace period, then aborts them and hands them back without counting the attempt', async () => {
      const q = freshQueue();
      const quick = freshQueue();
      let reason: unknown;
      let quickDone = false;
      const w = start(
        {
          [q]: {
            run: (_job, signal) =>
              new Promise<void>((resolve) => {
                signal.addEventListener('abort', () => {
                  reason = signal.reason;
                  resolve();
                });
              }),
            exhausted: noExhaust,
          },
          [quick]: {
            run: async (_job, signal) => {
              await new Promise((r) => setTimeout(r, 100));
              quickDone = !signal.aborted;
            },
            exhausted: noExhaust,
          },
        },
        { graceMs: 400 },
      );
      await queue.enqueue({ queue: q, payload: {}, maxAttempts: 1 });
      await waitFor(async () => ((await row(q))?.locked_by ? true : undefined), {
        what: 'the job to be claimed',
      });
      await queue.enqueue({ queue: quick, payload: {}, maxAttempts: 1 });
      await waitFor(async () => ((await row(quick))?.locked_by ? true : undefined), {
        what: 'the quick job to be claimed',
      });
      await w.stop();
      // The quick job finished within the grace period; the other was aborted and handed back.
      expect(quickDone).toBe(true);
      expect(await row(quick)).toBeUndefined();
      expect((reason as JobInterruptedError).reason).toBe('stopping');
      expect(await row(q)).toMatchObject({
        locked_by: null,
        attempts: 1,
        max_attempts: 2,
        last_error: null,
      });

      // The next worker resumes it, seeing that an earlier attempt was interrupted.
      const resumed: number[] = [];
      start({ [q]: { run: async (job) => void resumed.push(job.attempts), exhausted: noExhaust } });
      await waitFor(async () => ((await row(q)) === undefined ? true : undefined), {
        what: 'the handed-back job to run again',
      });
      expect(resumed).toEqual([2]);
    });

    it('the sweeper ends a template version whose registration ran out of attempts, saying why and what to do', async () => {
      const store = new PostgresCatalogStore(handle.db);
      const templates = new TemplatesService({
        store,
        clock: systemClock,
        arnScope: { region: 'us-east-1', accountId: '123456789012' },
        limits: { maxTemplates: 100, maxVersionsPerTemplate: 100 },
        usage: new VersionUsage(noResourcesYet),
      });
      const name = `flaky-${dialect}`;
      await templates.createTemplate('ENVIRONMENT', { name });
      await templates.createVersion('ENVIRONMENT', {
        templateName: name,
        source: { s3: { bucket: 'far-away', key: 'bundle.tar.gz' } },
      });
      // Two attempts keep the test short; each fails as an unreachable bucket does.
      await handle.db
        .updateTable('jobs')
        .set({ max_attempts: 2 })
        .where('queue', '=', REGISTRATION_QUEUE)
        .execute();
      let fetches = 0;
      start(
        {
          [REGISTRATION_QUEUE]: registrationJobs({
            store,
            bundles: new PostgresBundleStore(handle.db),
            source: {
              fetch: () => {
                fetches++;
                return Promise.reject(new Error('getaddrinfo EAI_AGAIN far-away.s3.amazonaws.com'));
              },
            },
            checker: new TemplateBundleChecker(),
            templates,
            clock: systemClock,
            logger: silentLogger,
          }),
        },
        { sweepMs: 100 },
      );
      const version = await waitFor(
        async () => {
          const v = await store.getVersion('ENVIRONMENT', name, 1, 0);
          return v?.status === 'REGISTRATION_FAILED' ? v : undefined;
        },
        { what: 'the registration to be given up' },
      );
      expect(fetches).toBe(2);
      expect(version.statusMessage).toMatch(/gave up registering this version after 2 attempts/);
      expect(version.statusMessage).toMatch(/EAI_AGAIN/);
      expect(version.statusMessage).toMatch(/create the version again/);
      expect(await row(REGISTRATION_QUEUE)).toBeUndefined();
    });
  });
}
