/** Event subscriptions and deliveries (ADR 0023). Events themselves are written by triggers. */
export const EVENT_DELIVERY_QUEUE = 'event-delivery';

export interface EventSubscriptionRecord {
  id: string;
  url: string;
  detailTypes: string[] | null;
  description: string | null;
  createdAt: Date;
}

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

export interface EventStore {
  createSubscription(
    s: Omit<EventSubscriptionRecord, 'createdAt'> & { secret: string },
  ): Promise<EventSubscriptionRecord>;
  listSubscriptions(): Promise<EventSubscriptionRecord[]>;
  deleteSubscription(id: string): Promise<boolean>;
  /** The event and where to send it; undefined when either is gone (the subscription was deleted). */
  delivery(
    eventId: string,
    subscriptionId: string,
  ): Promise<{ event: StoredEvent; url: string; secret: string } | undefined>;
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
}
