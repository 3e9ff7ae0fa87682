import { sql, type Kysely } from 'kysely';

/**
 * EventBridge targets and outbox pruning (ADR 0023).
 *
 * A subscription is a webhook (`url`, `secret_ciphertext`) or an EventBridge bus (`event_bus`,
 * `event_bus_region`, `source`). An EventBridge delivery job sends its own event together with up
 * to nine other fresh ones of the same subscription (PutEvents takes ten entries); it claims them
 * with `claimed_until`, so two jobs never send the same fresh event in two batches.
 *
 * `job_schedules` holds the turns of periodic jobs other than the drift scan (which keeps its
 * own row): `event-prune` deletes delivered and failed events older than the retention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('event_subscriptions')
    // WEBHOOK | EVENTBRIDGE
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('WEBHOOK'))
    .addColumn('event_bus', 'text')
    .addColumn('event_bus_region', 'text')
    .addColumn('source', 'text')
    .execute();
  await sql`ALTER TABLE event_subscriptions ALTER COLUMN url DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE event_subscriptions ALTER COLUMN secret_ciphertext DROP NOT NULL`.execute(
    db,
  );
  await sql`ALTER TABLE event_subscriptions ADD CONSTRAINT event_subscriptions_target CHECK (
    (kind = 'WEBHOOK' AND url IS NOT NULL AND secret_ciphertext IS NOT NULL)
    OR (kind = 'EVENTBRIDGE' AND event_bus IS NOT NULL AND event_bus_region IS NOT NULL
        AND source IS NOT NULL))`.execute(db);
  // Until then, the event is in a batch being sent by another job.
  await db.schema
    .alterTable('event_deliveries')
    .addColumn('claimed_until', 'timestamptz')
    .execute();
  await db.schema
    .createTable('job_schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_result', 'jsonb')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_schedules').execute();
  await db.schema.alterTable('event_deliveries').dropColumn('claimed_until').execute();
  await sql`DELETE FROM event_subscriptions WHERE kind <> 'WEBHOOK'`.execute(db);
  await sql`ALTER TABLE event_subscriptions DROP CONSTRAINT event_subscriptions_target`.execute(db);
  await sql`ALTER TABLE event_subscriptions ALTER COLUMN url SET NOT NULL`.execute(db);
  await sql`ALTER TABLE event_subscriptions ALTER COLUMN secret_ciphertext SET NOT NULL`.execute(
    db,
  );
  await db.schema
    .alterTable('event_subscriptions')
    .dropColumn('kind')
    .dropColumn('event_bus')
    .dropColumn('event_bus_region')
    .dropColumn('source')
    .execute();
}
