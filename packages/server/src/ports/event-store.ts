/** Event subscriptions and deliveries (ADR 0023). Events themselves are written by triggers. */
export const EVENT_DELIVERY_QUEUE = 'event-delivery';

/** Where a subscription's events go: a signed webhook, or an EventBridge bus through the SDK. */
export type EventTarget =
  | { kind: 'WEBHOOK'; url: string }
  | { kind: 'EVENTBRIDGE'; eventBus: string; eventBusRegion: string; source: string };

export type EventSubscriptionRecord = EventTarget & {
  id: string;
  detailTypes: string[] | null;
  description: string | null;
  createdAt: Date;
};

/** A subscription to create; a webhook's secret is stored sealed. */
export type NewEventSubscription = EventTarget & {
  id: string;
  detailTypes: string[] | null;
  description: string | null;
  secret?: string;
};

export interface StoredEvent {
  id: string;
  at: Date;
  detailType: string;
  resourceArn: string;
  detail: Record<string, unknown>;
}

export interface EventDeliveryRecord {
  eventId: string;
  subscriptionId: string;
  detailType: string;
  resourceArn: string;
  at: Date;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A delivery job's view of its event and target (the webhook's secret opened). */
export interface DeliveryTarget {
  event: StoredEvent;
  target:
    | { kind: 'WEBHOOK'; url: string; secret: string }
    | Extract<EventTarget, { kind: 'EVENTBRIDGE' }>;
}

/**
 * What claiming a batch found: the job's own delivery is gone (subscription deleted), already
 * delivered or failed for good (`done`), being sent in another job's batch (`busy`), or claimed
 * with up to `max - 1` other fresh deliveries of the same subscription (own event first).
 */
export type ClaimedBatch =
  | { state: 'gone' }
  | { state: 'done' }
  | { state: 'busy' }
  | { state: 'claimed'; target: DeliveryTarget['target']; events: StoredEvent[] };

export interface EventStore {
  createSubscription(s: NewEventSubscription): Promise<EventSubscriptionRecord>;
  listSubscriptions(): Promise<EventSubscriptionRecord[]>;
  deleteSubscription(id: string): Promise<boolean>;
  /** The event and where to send it; undefined when either is gone (the subscription was deleted). */
  delivery(eventId: string, subscriptionId: string): Promise<DeliveryTarget | undefined>;
  /**
   * Claims the job's own PENDING delivery and up to `max - 1` other PENDING deliveries of the same
   * subscription that were never tried and are not claimed, for `leaseMs`.
   */
  claimBatch(
    eventId: string,
    subscriptionId: string,
    max: number,
    leaseMs: number,
  ): Promise<ClaimedBatch>;
  /**
   * Records one attempt of each event of a batch (DELIVERED, or PENDING with the error) and frees
   * the claims. The waiting jobs of other events that failed run after the queue's backoff.
   */
  recordBatch(
    subscriptionId: string,
    ownEventId: string,
    outcomes: Array<{ eventId: string; error?: string }>,
  ): Promise<void>;
  /** Records one attempt: DELIVERED, or still PENDING with the error, or FAILED for good. */
  recordAttempt(
    eventId: string,
    subscriptionId: string,
    outcome: { status: 'DELIVERED' | 'PENDING' | 'FAILED'; error?: string; attempt?: boolean },
  ): Promise<void>;
  listDeliveries(filter: {
    subscriptionId?: string;
    limit: number;
  }): Promise<EventDeliveryRecord[]>;
  /**
   * Deletes events older than `retentionDays` none of whose deliveries is still PENDING, with
   * their delivery records; returns how many events went.
   */
  prune(retentionDays: number): Promise<number>;
}
