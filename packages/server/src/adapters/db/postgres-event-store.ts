import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../auth/secret-box.js';
import {
  EVENT_DELIVERY_QUEUE,
  type ClaimedBatch,
  type DeliveryTarget,
  type EventDeliveryRecord,
  type EventStore,
  type EventSubscriptionRecord,
  type NewEventSubscription,
  type StoredEvent,
} from '../../ports/event-store.js';
import type { Database } from './schema.js';

interface SubscriptionRow {
  id: string;
  kind: string;
  url: string | null;
  event_bus: string | null;
  event_bus_region: string | null;
  source: string | null;
  detail_types: string[] | null;
  description: string | null;
  created_at: Date;
}

const subscriptionOf = (r: SubscriptionRow): EventSubscriptionRecord => ({
  id: r.id,
  ...(r.kind === 'EVENTBRIDGE'
    ? {
        kind: 'EVENTBRIDGE' as const,
        eventBus: r.event_bus!,
        eventBusRegion: r.event_bus_region!,
        source: r.source!,
      }
    : { kind: 'WEBHOOK' as const, url: r.url! }),
  detailTypes: r.detail_types,
  description: r.description,
  createdAt: new Date(r.created_at),
});

const eventOf = (r: {
  id: string;
  at: Date;
  detail_type: string;
  resource_arn: string;
  detail: Record<string, unknown>;
}): StoredEvent => ({
  id: r.id,
  at: new Date(r.at),
  detailType: r.detail_type,
  resourceArn: r.resource_arn,
  detail: r.detail,
});

/** Subscriptions (secrets sealed with the installation's key) and delivery records in SQL. */
export class PostgresEventStore implements EventStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async createSubscription(s: NewEventSubscription) {
    const row = await this.db
      .insertInto('event_subscriptions')
      .values({
        id: s.id,
        kind: s.kind,
        ...(s.kind === 'WEBHOOK'
          ? { url: s.url, secret_ciphertext: this.box.seal(s.secret ?? '') }
          : { event_bus: s.eventBus, event_bus_region: s.eventBusRegion, source: s.source }),
        detail_types: s.detailTypes ? JSON.stringify(s.detailTypes) : null,
        description: s.description,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return subscriptionOf(row);
  }

  async listSubscriptions() {
    const rows = await this.db
      .selectFrom('event_subscriptions')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(subscriptionOf);
  }

  async deleteSubscription(id: string) {
    const r = await this.db
      .deleteFrom('event_subscriptions')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async delivery(eventId: string, subscriptionId: string): Promise<DeliveryTarget | undefined> {
    const r = await this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('event_outbox as e', 'e.id', 'd.event_id')
      .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
      .select([
        'e.id',
        'e.at',
        'e.detail_type',
        'e.resource_arn',
        'e.detail',
        's.secret_ciphertext',
      ])
      .select(['s.id as sid', 's.kind', 's.url', 's.event_bus', 's.event_bus_region', 's.source'])
      .where('d.event_id', '=', eventId)
      .where('d.subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    if (!r) return undefined;
    return { event: eventOf(r), target: this.targetOf(r) };
  }

  async claimBatch(
    eventId: string,
    subscriptionId: string,
    max: number,
    leaseMs: number,
  ): Promise<ClaimedBatch> {
    return this.db.transaction().execute(async (tx): Promise<ClaimedBatch> => {
      const own = await tx
        .selectFrom('event_deliveries as d')
        .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
        .select(['d.status', sql<boolean>`coalesce(d.claimed_until > now(), false)`.as('busy')])
        .select(['s.id as sid', 's.kind', 's.url', 's.event_bus', 's.event_bus_region', 's.source'])
        .select('s.secret_ciphertext')
        .where('d.event_id', '=', eventId)
        .where('d.subscription_id', '=', subscriptionId)
        .forUpdate('d')
        .executeTakeFirst();
      if (!own) return { state: 'gone' };
      if (own.status !== 'PENDING') return { state: 'done' };
      if (own.busy) return { state: 'busy' };
      // Fresh deliveries only: one that failed once is retried by its own job, after its backoff.
      const others = await sql<{ event_id: string }>`
        select d.event_id from event_deliveries d join event_outbox e on e.id = d.event_id
        where d.subscription_id = ${subscriptionId} and d.event_id <> ${eventId}
          and d.status = 'PENDING' and d.attempts = 0
          and (d.claimed_until is null or d.claimed_until <= now())
        order by e.at, e.id limit ${Math.max(max - 1, 0)}
        for update of d skip locked`.execute(tx);
      const ids = [eventId, ...others.rows.map((r) => r.event_id)];
      await tx
        .updateTable('event_deliveries')
        .set({ claimed_until: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where('subscription_id', '=', subscriptionId)
        .where('event_id', 'in', ids)
        .execute();
      const rows = await tx
        .selectFrom('event_outbox')
        .select(['id', 'at', 'detail_type', 'resource_arn', 'detail'])
        .where('id', 'in', ids)
        .execute();
      const byId = new Map(rows.map((r) => [r.id, eventOf(r)]));
      return {
        state: 'claimed',
        target: this.targetOf(own),
        events: ids.map((id) => byId.get(id)!).filter(Boolean),
      };
    });
  }

  async recordBatch(
    subscriptionId: string,
    ownEventId: string,
    outcomes: Array<{ eventId: string; error?: string }>,
  ) {
    await this.db.transaction().execute(async (tx) => {
      for (const o of outcomes) {
        await tx
          .updateTable('event_deliveries')
          .set({
            status: o.error ? 'PENDING' : 'DELIVERED',
            attempts: sql<number>`attempts + 1`,
            last_error: o.error ?? null,
            claimed_until: null,
            ...(o.error ? {} : { delivered_at: sql`now()` }),
          })
          .where('event_id', '=', o.eventId)
          .where('subscription_id', '=', subscriptionId)
          .where('status', '=', 'PENDING')
          .execute();
        // Another event's job has not run yet: it retries after the queue's first backoff.
        if (o.error && o.eventId !== ownEventId)
          await sql`update jobs set run_at = greatest(run_at, now() + interval '2 seconds')
            where queue = ${EVENT_DELIVERY_QUEUE} and locked_by is null
              and payload->>'eventId' = ${o.eventId}
              and payload->>'subscriptionId' = ${subscriptionId}`.execute(tx);
      }
    });
  }

  async recordAttempt(
    eventId: string,
    subscriptionId: string,
    outcome: { status: 'DELIVERED' | 'PENDING' | 'FAILED'; error?: string; attempt?: boolean },
  ) {
    await this.db
      .updateTable('event_deliveries')
      .set({
        status: outcome.status,
        ...(outcome.attempt === false ? {} : { attempts: sql<number>`attempts + 1` }),
        last_error: outcome.error ?? null,
        claimed_until: null,
        ...(outcome.status === 'DELIVERED' ? { delivered_at: sql`now()` } : {}),
      })
      .where('event_id', '=', eventId)
      .where('subscription_id', '=', subscriptionId)
      // A late duplicate attempt does not undo a delivery.
      .where('status', '!=', 'DELIVERED')
      .execute();
  }

  async listDeliveries(filter: { subscriptionId?: string; limit: number }) {
    let q = this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('event_outbox as e', 'e.id', 'd.event_id')
      .select([
        'd.event_id',
        'd.subscription_id',
        'd.status',
        'd.attempts',
        'd.last_error',
        'd.delivered_at',
        'e.detail_type',
        'e.resource_arn',
        'e.at',
      ])
      .orderBy('e.at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(filter.limit);
    if (filter.subscriptionId) q = q.where('d.subscription_id', '=', filter.subscriptionId);
    const rows = await q.execute();
    return rows.map((r): EventDeliveryRecord => ({
      eventId: r.event_id,
      subscriptionId: r.subscription_id,
      detailType: r.detail_type,
      resourceArn: r.resource_arn,
      at: new Date(r.at),
      status: r.status as EventDeliveryRecord['status'],
      attempts: r.attempts,
      lastError: r.last_error,
      deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
    }));
  }

  async prune(retentionDays: number) {
    let total = 0;
    // In slices, so a large backlog never holds one long transaction.
    for (;;) {
      const r = await sql`
        delete from event_outbox where id in (
          select e.id from event_outbox e
          where e.at < now() - ${retentionDays} * interval '1 day'
            and not exists (select 1 from event_deliveries d
                            where d.event_id = e.id and d.status = 'PENDING')
          order by e.at limit 5000)`.execute(this.db);
      const n = Number(r.numAffectedRows ?? 0n);
      total += n;
      if (n < 5000) return total;
    }
  }

  private targetOf(r: {
    kind: string;
    url: string | null;
    secret_ciphertext: string | null;
    event_bus: string | null;
    event_bus_region: string | null;
    source: string | null;
  }): DeliveryTarget['target'] {
    return r.kind === 'EVENTBRIDGE'
      ? {
          kind: 'EVENTBRIDGE',
          eventBus: r.event_bus!,
          eventBusRegion: r.event_bus_region!,
          source: r.source!,
        }
      : { kind: 'WEBHOOK', url: r.url!, secret: this.box.open(r.secret_ciphertext!) };
  }
}
