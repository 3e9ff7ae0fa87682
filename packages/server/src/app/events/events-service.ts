import { randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '@nucleon/core';
import type { EventStore, EventSubscriptionRecord } from '../../ports/event-store.js';
import { EVENT_DETAIL_TYPES } from './event-envelope.js';

export interface CreateEventSubscriptionInput {
  url: string;
  secret?: string;
  detailTypes?: string[];
  description?: string;
}

const view = (s: EventSubscriptionRecord) => ({
  id: s.id,
  url: s.url,
  ...(s.detailTypes ? { detailTypes: s.detailTypes } : {}),
  ...(s.description ? { description: s.description } : {}),
  createdAt: s.createdAt,
});

/** Webhook subscriptions to status-change events (ADR 0023). */
export class EventsService {
  constructor(private readonly store: EventStore) {}

  async subscribe(input: CreateEventSubscriptionInput) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new ValidationError(`url ${input.url} is not a URL; give an http:// or https:// URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ValidationError(
        `url ${input.url} uses ${url.protocol}; events are delivered to http:// or https:// URLs.`,
      );
    if (url.username || url.password)
      throw new ValidationError(
        'url must not carry credentials; receivers authenticate events by their signature.',
      );
    const unknown = (input.detailTypes ?? []).filter(
      (t) => !(EVENT_DETAIL_TYPES as readonly string[]).includes(t),
    );
    if (unknown.length)
      throw new ValidationError(
        `Unknown detail type ${unknown.map((t) => `"${t}"`).join(', ')}; known: ${EVENT_DETAIL_TYPES.join(', ')}.`,
      );
    if (input.secret !== undefined && input.secret.length < 16)
      throw new ValidationError('secret must be at least 16 characters (or leave it out).');
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const created = await this.store.createSubscription({
      id: randomUUID(),
      url: url.toString(),
      detailTypes: input.detailTypes?.length ? input.detailTypes : null,
      description: input.description ?? null,
      secret,
    });
    // The secret is shown once, here; it is stored sealed.
    return { subscription: { ...view(created), secret } };
  }

  async list() {
    return { subscriptions: (await this.store.listSubscriptions()).map(view) };
  }

  async unsubscribe(id: string) {
    if (!(await this.store.deleteSubscription(id)))
      throw new NotFoundError(`The event subscription ${id} does not exist.`);
    return {};
  }

  async deliveries(input: { subscriptionId?: string; maxResults?: number }) {
    const rows = await this.store.listDeliveries({
      ...(input.subscriptionId ? { subscriptionId: input.subscriptionId } : {}),
      limit: Math.min(Math.max(input.maxResults ?? 100, 1), 1000),
    });
    return {
      deliveries: rows.map((d) => ({
        eventId: d.eventId,
        subscriptionId: d.subscriptionId,
        detailType: d.detailType,
        resourceArn: d.resourceArn,
        time: d.at,
        status: d.status,
        attempts: d.attempts,
        ...(d.lastError ? { lastError: d.lastError } : {}),
        ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
      })),
    };
  }
}
