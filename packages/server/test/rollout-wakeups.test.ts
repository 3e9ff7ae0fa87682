import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/adapters/db/database.js';
import { PostgresDeploymentStore } from '../src/adapters/db/postgres-deployment-store.js';
import { PostgresJobQueue } from '../src/adapters/queue/postgres-job-queue.js';

/**
 * A deployment's end wakes the rollout that started it, in the same transaction (ADR 0019,
 * "Wakeups"), and rollout steps are claimed before the deployments they started (migration 0023).
 * Rows are written with SQL so each case shows exactly the state it starts from.
 */
describe('rollout wakeups', () => {
  let dir: string;
  let h: DatabaseHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nucleon-wakeups-'));
    h = await openDatabase({ dataDir: dir });
    await migrateToLatest(h.db);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A running rollout with one instance whose deployment `dep` is IN_PROGRESS, and its pending step. */
  async function fleet(n: string, status = 'IN_PROGRESS') {
    const db = h.db;
    const dep = `dep-${n}`;
    await sql`insert into resources (kind, service_name, name, arn, environment_name, template_name,
        template_major, template_minor, spec, deployment_status, last_attempted_deployment_id,
        last_deployment_attempted_at, last_deployment_succeeded_at, settings, created_at)
      values ('SERVICE_INSTANCE', ${`svc-${n}`}, 'i', ${`arn:i-${n}`}, 'env', 't', 1, 0, null,
        'IN_PROGRESS', ${dep}, now(), now(), '{}'::jsonb, now())`.execute(db);
    await sql`insert into deployments (id, arn, target_kind, target_service, target_name, target_arn,
        target_created_at, environment_name, operation, engine, status, target_state, created_at,
        last_modified_at)
      values (${dep}, ${`arn:d-${n}`}, 'SERVICE_INSTANCE', ${`svc-${n}`}, 'i', ${`arn:i-${n}`}, now(),
        'env', 'DEPLOY', 'codebuild', 'IN_PROGRESS',
        '{"templateMajorVersion":"1","templateMinorVersion":"1"}'::jsonb, now(), now())`.execute(
      db,
    );
    await sql`insert into rollouts (id, template_kind, template_name, target_major, target_minor,
        status, phase, current_wave, wave_count, options, tick_seq, created_at, last_modified_at)
      values (${`r-${n}`}, 'SERVICE', 't', 1, 1, ${status}, 'DEPLOYING', 0, 1, '{}'::jsonb, 3, now(), now())`.execute(
      db,
    );
    await sql`insert into rollout_instances (rollout_id, position, wave, service_name, instance_name,
        environment_name, state, deployment_id, updated_at)
      values (${`r-${n}`}, 0, 0, ${`svc-${n}`}, 'i', 'env', 'IN_PROGRESS', ${dep}, now())`.execute(
      db,
    );
    await sql`insert into jobs (queue, payload, max_attempts, priority, run_at)
      values ('rollout', ${JSON.stringify({ rolloutId: `r-${n}`, seq: 3 })}::jsonb, 10, 1,
        now() + interval '10 minutes')`.execute(db);
    return dep;
  }

  const stepDue = async (n: string) =>
    (
      await sql<{ due: boolean }>`select run_at <= now() as due from jobs
        where queue = 'rollout' and payload->>'rolloutId' = ${`r-${n}`}`.execute(h.db)
    ).rows[0]?.due;

  it("moves the running rollout's pending step to now when one of its deployments ends", async () => {
    const dep = await fleet('a');
    expect(await stepDue('a')).toBe(false);
    const store = new PostgresDeploymentStore(h.db);
    expect(await store.finishDeployment(dep, { status: 'SUCCEEDED', message: 'done' })).toBe(true);
    expect(await stepDue('a')).toBe(true);
  });

  it('leaves a paused rollout’s step alone', async () => {
    const dep = await fleet('b', 'PAUSED');
    const store = new PostgresDeploymentStore(h.db);
    expect(await store.finishDeployment(dep, { status: 'FAILED', message: 'boom' })).toBe(true);
    expect(await stepDue('b')).toBe(false);
  });

  it('claims a due rollout step before older deployment jobs', async () => {
    await sql`delete from jobs`.execute(h.db);
    await sql`insert into jobs (queue, payload, max_attempts, run_at) values
      ('deploy', '{"deploymentId":"x1"}'::jsonb, 5, now() - interval '1 minute'),
      ('deploy', '{"deploymentId":"x2"}'::jsonb, 5, now() - interval '1 minute')`.execute(h.db);
    await sql`insert into jobs (queue, payload, max_attempts, priority)
      values ('rollout', '{"rolloutId":"r-c","seq":1}'::jsonb, 10, 1)`.execute(h.db);
    const claimed = await new PostgresJobQueue(h.db).claim(['deploy', 'rollout'], 'w1', 30_000, 1);
    expect(claimed.map((j) => j.queue)).toEqual(['rollout']);
  });
});
