import { sql } from 'kysely';
import { createTestDatabase, postgresUnavailable, requireOrSkip } from '@nucleon/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../src/adapters/db/database.js';
import { PostgresDriftScheduleStore } from '../src/adapters/db/postgres-drift-schedule-store.js';

/**
 * The scheduled drift check runs once per interval however many processes serve the database:
 * two connection pools on one PostgreSQL database stand for two Nucleon processes.
 */
describe('the drift schedule (PostgreSQL, two processes)', async () => {
  const available = requireOrSkip(await postgresUnavailable());
  const database = available ? await createTestDatabase() : undefined;
  const handles = database
    ? [
        await openDatabase({ dataDir: '/nonexistent', databaseUrl: database.url }),
        await openDatabase({ dataDir: '/nonexistent', databaseUrl: database.url }),
      ]
    : [];
  afterAll(async () => {
    for (const h of handles) await h.close();
    await database?.drop();
  });

  it.skipIf(!available)('keeps one waiting job and lets one job take each turn', async () => {
    await migrateToLatest(handles[0]!.db);
    const stores = handles.map((h) => new PostgresDriftScheduleStore(h.db));
    const jobs = async () =>
      (
        await sql<{
          id: string;
        }>`select id from jobs where queue = 'drift-scan'`.execute(handles[0]!.db)
      ).rows;

    // Both processes start at once, twice.
    await Promise.all([0, 1, 0, 1].map((k) => stores[k]!.ensure(60)));
    const waiting = await jobs();
    expect(waiting).toHaveLength(1);

    // The turn is due; six jobs (three per process) try to take it at the same moment.
    const claims = await Promise.all(
      [0, 1, 0, 1, 0, 1].map((k, n) => stores[k]!.claimTurn(`99999${n}`, 60)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // The next turn is a minute away, and still one job waits for it.
    expect(await jobs()).toEqual(waiting);
    expect(await stores[0]!.claimTurn('123', 60)).toBe(false);

    // The waiting job itself, once it runs, hands the turn on to one new job.
    await sql`update drift_schedule set next_run_at = now()`.execute(handles[1]!.db);
    expect(await stores[1]!.claimTurn(waiting[0]!.id, 60)).toBe(true);
    const next = await jobs();
    expect(next).toHaveLength(2); // the running job (removed when it completes) and the next one
    expect(next.map((j) => j.id)).toContain(waiting[0]!.id);

    await stores[0]!.save({ resources: [{ drifted: true, name: 'x' }] }, new Date());
    expect(await stores[1]!.last()).toMatchObject({
      report: { resources: [{ drifted: true, name: 'x' }] },
    });
  });
});
