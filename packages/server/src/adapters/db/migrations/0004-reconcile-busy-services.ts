import { sql, type Kysely } from 'kysely';

/**
 * Service reconciles became jobs enqueued with each deployment's end. A service left
 * *_IN_PROGRESS by an earlier version (the process stopped between a deployment's end and the
 * in-memory reconcile) gets one such job, so the first worker after the upgrade settles it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into jobs (queue, payload, max_attempts)
    select 'reconcile-service', jsonb_build_object('serviceName', name), 10
    from services where status like '%\_IN\_PROGRESS'`.execute(db);
}

/** The jobs are idempotent and short-lived; going down leaves none behind for older code. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from jobs where queue = 'reconcile-service'`.execute(db);
}
