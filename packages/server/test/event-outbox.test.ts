import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase, postgresUnavailable, requireOrSkip } from '@nucleon/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/adapters/auth/secret-box.js';
import { migrateToLatest, openDatabase } from '../src/adapters/db/database.js';
import { PostgresEventStore } from '../src/adapters/db/postgres-event-store.js';
import { PostgresJobSchedule } from '../src/adapters/db/postgres-job-schedule.js';
import { EVENT_PRUNE_QUEUE, eventPruneJob } from '../src/app/events/event-prune-job.js';
import type { EventStore } from '../src/ports/event-store.js';
import type { ClaimedJob } from '../src/ports/job-queue.js';

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

/**
 * The outbox on PostgreSQL with two connection pools standing for two Nucleon processes:
 * EventBridge batches never share an event, and pruning runs once per turn and keeps every
 * event still being retried. Events are written by the same SQL function the triggers call.
 */
describe('the event outbox (PostgreSQL, two processes)', async () => {
  const available = requireOrSkip(await postgresUnavailable());
  const database = available ? await createTestDatabase() : undefined;
  const handles = database
    ? [
        await openDatabase({ dataDir: '/nonexistent', databaseUrl: database.url }),
        await openDatabase({ dataDir: '/nonexistent', databaseUrl: database.url }),
      ]
    : [];
  const box = new SecretBox(randomBytes(32));
  const stores = handles.map((h) => new PostgresEventStore(h.db, box));
  const db = () => handles[0]!.db;
  afterAll(async () => {
    for (const h of handles) await h.close();
    await database?.drop();
  });

  const emit = async (n: number) => {
    for (let i = 0; i < n; i++)
      await sql`select nucleon_emit_event('Nucleon Rollout Status Change', ${`rollout/r${i}`},
        ${JSON.stringify({ id: `r${i}`, status: 'SUCCEEDED' })}::jsonb)`.execute(db());
    return (
      await sql<{ id: string }>`select id from event_outbox order by at, id`.execute(db())
    ).rows.map((r) => r.id);
  };

  it.skipIf(!available)(
    'claims batches of at most ten fresh events, each event in one batch',
    async () => {
      await migrateToLatest(db());
      await stores[0]!.createSubscription({
        id: 'bus',
        kind: 'EVENTBRIDGE',
        eventBus: 'b',
        eventBusRegion: 'us-east-1',
        source: 'nucleon.proton',
        detailTypes: null,
        description: null,
      });
      const first = await emit(14);
      // Fourteen delivery jobs, in two processes, claim at the same moment.
      const claims = await Promise.all(
        first.map((id, n) => stores[n % 2]!.claimBatch(id, 'bus', 10, 60_000)),
      );
      const claimed = claims.flatMap((c, n) =>
        c.state === 'claimed' ? [{ own: first[n], ids: c.events.map((e) => e.id) }] : [],
      );
      expect(claimed.every((c) => c.ids.length <= 10 && c.ids[0] === c.own)).toBe(true);
      const all = claimed.flatMap((c) => c.ids);
      expect(new Set(all).size).toBe(all.length); // no event in two batches
      expect(all.sort()).toEqual([...first].sort()); // and none left out
      for (const c of claimed)
        await stores[0]!.recordBatch(
          'bus',
          c.own!,
          c.ids.map((eventId) => ({ eventId })),
        );

      // Twelve new events: the first job takes ten, the twelfth job the other two.
      const ids = (await emit(12)).filter((id) => !first.includes(id));
      const a = await stores[0]!.claimBatch(ids[0]!, 'bus', 10, 60_000);
      const inBatch = a.state === 'claimed' ? a.events.map((e) => e.id) : [];
      expect(inBatch).toEqual(ids.slice(0, 10));
      const b = await stores[1]!.claimBatch(ids[11]!, 'bus', 10, 60_000);
      expect(b.state === 'claimed' && b.events.map((e) => e.id)).toEqual([ids[11], ids[10]]);
      const batches = [inBatch];
      // A claimed event's own job waits for the batch to end.
      const inA = inBatch[1]!;
      expect((await stores[1]!.claimBatch(inA, 'bus', 10, 60_000)).state).toBe('busy');

      // One entry of batch A failed: it stays PENDING and its own job runs after a backoff.
      await stores[0]!.recordBatch(
        'bus',
        ids[0]!,
        batches[0]!.map((id) => ({
          eventId: id,
          ...(id === inA ? { error: 'ThrottlingException: slow down' } : {}),
        })),
      );
      const deliveries = await stores[0]!.listDeliveries({ limit: 100 });
      const failed = deliveries.find((d) => d.eventId === inA)!;
      expect(failed).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: 'ThrottlingException: slow down',
      });
      expect(
        deliveries.filter((d) => ids.includes(d.eventId) && d.status === 'DELIVERED'),
      ).toHaveLength(batches[0]!.length - 1);
      const job = await sql<{ later: boolean }>`select run_at > now() as later from jobs
        where queue = 'event-delivery' and payload->>'eventId' = ${inA}`.execute(db());
      expect(job.rows).toEqual([{ later: true }]);
      // A retried event is never taken into another job's batch, but its own job sends it.
      const again = await stores[1]!.claimBatch(inA, 'bus', 10, 60_000);
      expect(again.state === 'claimed' && again.events.map((e) => e.id)).toEqual([inA]);
      expect((await stores[0]!.claimBatch(ids[2]!, 'bus', 10, 60_000)).state).toBe('done');

      // A process that died mid-call leaves its claims; once they lapse, the events' own jobs
      // send them again (at least once).
      await sql`update event_deliveries set claimed_until = now() - interval '1 second'
        where event_id in (${ids[11]!}, ${ids[10]!})`.execute(db());
      const retried = await stores[0]!.claimBatch(ids[10]!, 'bus', 10, 60_000);
      expect(retried.state === 'claimed' && retried.events.map((e) => e.id)).toEqual([
        ids[10],
        ids[11],
      ]);
    },
  );

  it.skipIf(!available)(
    'prunes old ended events once per turn and keeps those still being retried',
    async () => {
      await sql`delete from event_outbox`.execute(db());
      await sql`delete from jobs`.execute(db());
      const ids = await emit(4);
      // Three are a month old: delivered, failed for good, still retrying; the fourth is new.
      await sql`update event_outbox set at = now() - interval '30 days' where id <> ${ids[3]!}`.execute(
        db(),
      );
      await stores[0]!.recordAttempt(ids[0]!, 'bus', { status: 'DELIVERED' });
      await stores[0]!.recordAttempt(ids[1]!, 'bus', { status: 'FAILED', error: 'gave up' });
      await stores[0]!.recordAttempt(ids[2]!, 'bus', { status: 'PENDING', error: 'retrying' });
      await stores[0]!.recordAttempt(ids[3]!, 'bus', { status: 'DELIVERED' });

      const schedules = handles.map((h) => new PostgresJobSchedule(h.db, EVENT_PRUNE_QUEUE));
      const jobsOf = async () =>
        (
          await sql<{ id: string }>`select id from jobs where queue = ${EVENT_PRUNE_QUEUE}`.execute(
            db(),
          )
        ).rows;
      await Promise.all([0, 1, 0, 1].map((k) => schedules[k]!.ensure(3600)));
      const waiting = await jobsOf();
      expect(waiting).toHaveLength(1);

      const pruned: number[] = [];
      const handlers = [0, 1].map((k) =>
        eventPruneJob({
          schedule: schedules[k]!,
          // The real store, counting how often pruning ran.
          store: {
            prune: async (days: number) => {
              const n = await stores[k]!.prune(days);
              pruned.push(n);
              return n;
            },
          } as unknown as EventStore,
          retentionDays: 14,
          intervalSeconds: 3600,
          logger: silent,
        }),
      );
      const job = (id: string): ClaimedJob => ({
        id,
        queue: EVENT_PRUNE_QUEUE,
        payload: {},
        attempts: 1,
        maxAttempts: 3,
        lastError: null,
      });
      const signal = new AbortController().signal;
      // The waiting job and three duplicates run at once in both processes: one prunes.
      await Promise.all([
        handlers[0]!.run(job(waiting[0]!.id), signal),
        handlers[1]!.run(job('900001'), signal),
        handlers[0]!.run(job('900002'), signal),
        handlers[1]!.run(job('900003'), signal),
      ]);
      expect(pruned).toEqual([2]);
      const left = (
        await sql<{ id: string }>`select id from event_outbox order by at`.execute(db())
      ).rows.map((r) => r.id);
      expect(left).toEqual([ids[2], ids[3]]);
      expect((await stores[1]!.listDeliveries({ limit: 10 })).map((d) => d.eventId).sort()).toEqual(
        [ids[2], ids[3]].sort(),
      );
      // The next turn waits an hour, in one job.
      const next = (await jobsOf()).filter((j) => j.id !== waiting[0]!.id);
      expect(next).toHaveLength(1);
      const turn = await sql<{
        later: boolean;
        last_result: unknown;
      }>`select next_run_at > now() + interval '59 minutes' as later, last_result from job_schedules`.execute(
        db(),
      );
      expect(turn.rows).toEqual([{ later: true, last_result: { pruned: 2, retentionDays: 14 } }]);
    },
  );
});
