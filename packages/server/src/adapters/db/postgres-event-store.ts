import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../auth/secret-box.js';
import type {
  EventDeliveryRecord,
  EventStore,
  EventSubscriptionRecord,
} from '../../ports/event-store.js';
import type { Database } from './schema.js';

const subscriptionOf = (r: {
  id: string;
  url: string;
  detail_types: string[] | null;
  description: string | null;
  created_at: Date;
}): EventSubscriptionRecord => ({
  id: r.id,
  url: r.url,
  detailTypes: r.detail_types,
  description: r.description,
  createdAt: new Date(r.created_at),
});

/** Subscriptions (secrets sealed with the installation's key) and delivery records in SQL. */
export class PostgresEventStore implements EventStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async createSubscription(s: Omit<EventSubscriptionRecord, 'createdAt'> & { secret: string }) {
    const row = await this.db
      .insertInto('event_subscriptions')
      .values({
        id: s.id,
        url: s.url,
        secret_ciphertext: this.box.seal(s.secret),
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

  async delivery(eventId: string, subscriptionId: string) {
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
        's.url',
        's.secret_ciphertext',
      ])
      .where('d.event_id', '=', eventId)
      .where('d.subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      event: {
        id: r.id,
        at: new Date(r.at),
        detailType: r.detail_type,
        resourceArn: r.resource_arn,
        detail: r.detail,
      },
      url: r.url,
      secret: this.box.open(r.secret_ciphertext),
    };
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
}
