import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nucleon/core';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  waitFor,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/adapters/db/database.js';
import { PostgresJobQueue } from '../src/adapters/queue/postgres-job-queue.js';
import { JobWorker } from '../src/worker/job-worker.js';

/**
 * A worker learns of jobs another process enqueued through PostgreSQL's NOTIFY (ADR 0025), not
 * only at its next poll: here its poll is ten minutes, so only the notification can wake it.
 */
describe('job wake-ups across processes (postgres)', async () => {
  if (!requireOrSkip(await postgresUnavailable())) return;
  let pg: { url: string; drop(): Promise<void> };
  let dir: string;
  let server: DatabaseHandle;
  let worker: DatabaseHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nucleon-notify-'));
    pg = await createTestDatabase();
    // Two handles: two pools and two listeners, as in two processes.
    server = await openDatabase({ dataDir: dir, databaseUrl: pg.url });
    worker = await openDatabase({ dataDir: dir, databaseUrl: pg.url });
    await migrateToLatest(server.db);
  });
  afterAll(async () => {
    await worker?.close();
    await server?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a job enqueued by one process wakes a worker in another at once', async () => {
    const ran: string[] = [];
    const w = JobWorker.create({
      queue: new PostgresJobQueue(worker.db),
      handlers: {
        notified: {
          run: async (job) => void ran.push(String(job.payload.n)),
          exhausted: async () => {},
        },
      },
      logger: silentLogger,
      concurrency: 2,
      pollMs: 600_000,
      sweepMs: 600_000,
    });
    await worker.notifications.listen('nucleon_jobs', () => w.poke());
    w.start();
    try {
      // The first claim happens at start; after it the worker sleeps for its ten-minute poll.
      await new Promise((r) => setTimeout(r, 200));
      const enqueue = new PostgresJobQueue(server.db);
      for (const n of [1, 2, 3]) {
        await enqueue.enqueue({ queue: 'notified', payload: { n }, maxAttempts: 1 });
        await waitFor(async () => (ran.includes(String(n)) ? true : undefined), {
          timeoutMs: 20_000,
          intervalMs: 10,
          what: `job ${n} to run`,
        });
      }
      expect(ran).toEqual(['1', '2', '3']);
    } finally {
      await w.stop();
    }
  });
});
