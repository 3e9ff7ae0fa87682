import { randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '@nucleon/core';
import type { EventStore, EventSubscriptionRecord, EventTarget } from '../../ports/event-store.js';
import { EVENT_DETAIL_TYPES } from './event-envelope.js';

export interface CreateEventSubscriptionInput {
  url?: string;
  secret?: string;
  eventBus?: string;
  eventBusRegion?: string;
  source?: string;
  detailTypes?: string[];
  description?: string;
}

/**
 * The source of events sent to EventBridge unless a subscription names another. EventBridge
 * refuses custom events whose source starts with `aws.` (NotAuthorizedForSourceException), so
 * Proton's own `aws.proton` only works on emulators; rules match this one instead.
 */
export const DEFAULT_EVENTBRIDGE_SOURCE = 'nucleon.proton';

const BUS_NAME = /^[.\-_A-Za-z0-9]{1,256}$/;
const BUS_ARN =
  /^arn:aws[a-z-]*:events:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:event-bus\/[.\-_A-Za-z0-9/]{1,256}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const view = (s: EventSubscriptionRecord) => ({
  id: s.id,
  ...(s.kind === 'WEBHOOK'
    ? { url: s.url }
    : { eventBus: s.eventBus, eventBusRegion: s.eventBusRegion, source: s.source }),
  ...(s.detailTypes ? { detailTypes: s.detailTypes } : {}),
  ...(s.description ? { description: s.description } : {}),
  createdAt: s.createdAt,
});

/** Subscriptions to status-change events (ADR 0023): signed webhooks or EventBridge buses. */
export class EventsService {
  constructor(
    private readonly store: EventStore,
    /** Nucleon's region: an EventBridge bus given by name without a region is looked up there. */
    private readonly region: string,
  ) {}

  async subscribe(input: CreateEventSubscriptionInput) {
    const unknown = (input.detailTypes ?? []).filter(
      (t) => !(EVENT_DETAIL_TYPES as readonly string[]).includes(t),
    );
    if (unknown.length)
      throw new ValidationError(
        `Unknown detail type ${unknown.map((t) => `"${t}"`).join(', ')}; known: ${EVENT_DETAIL_TYPES.join(', ')}.`,
      );
    if ((input.url === undefined) === (input.eventBus === undefined))
      throw new ValidationError(
        'Give either url (a webhook) or eventBus (an EventBridge event bus name or ARN), not both or neither.',
      );
    const target = input.eventBus !== undefined ? this.eventBridge(input) : this.webhook(input);
    const secret =
      target.kind === 'WEBHOOK'
        ? (input.secret ?? randomBytes(32).toString('base64url'))
        : undefined;
    const created = await this.store.createSubscription({
      id: randomUUID(),
      ...target,
      detailTypes: input.detailTypes?.length ? input.detailTypes : null,
      description: input.description ?? null,
      ...(secret ? { secret } : {}),
    });
    // A webhook's secret is shown once, here; it is stored sealed.
    return { subscription: { ...view(created), ...(secret ? { secret } : {}) } };
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

  private webhook(input: CreateEventSubscriptionInput): EventTarget {
    let url: URL;
    try {
      url = new URL(input.url!);
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
    if (input.eventBusRegion !== undefined || input.source !== undefined)
      throw new ValidationError(
        'eventBusRegion and source apply to EventBridge subscriptions (eventBus), not webhooks.',
      );
    if (input.secret !== undefined && input.secret.length < 16)
      throw new ValidationError('secret must be at least 16 characters (or leave it out).');
    return { kind: 'WEBHOOK', url: url.toString() };
  }

  private eventBridge(input: CreateEventSubscriptionInput): EventTarget {
    const bus = input.eventBus!;
    const arn = BUS_ARN.exec(bus);
    if (!arn && !BUS_NAME.test(bus))
      throw new ValidationError(
        `eventBus ${bus} is neither an event bus name (letters, digits, . - _) nor an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>).`,
      );
    if (input.secret !== undefined)
      throw new ValidationError(
        'secret applies to webhooks; EventBridge calls are signed with the AWS credentials Nucleon runs with.',
      );
    const region = input.eventBusRegion ?? arn?.[1] ?? this.region;
    if (!REGION.test(region))
      throw new ValidationError(`eventBusRegion ${region} must look like us-east-1.`);
    if (arn && arn[1] !== region)
      throw new ValidationError(
        `eventBusRegion ${region} differs from the region in the event bus ARN (${arn[1]}); leave eventBusRegion out.`,
      );
    const source = input.source ?? DEFAULT_EVENTBRIDGE_SOURCE;
    if (!/^[\x21-\x7e]{1,256}$/.test(source))
      throw new ValidationError(
        `source "${source}" must be 1–256 printable characters without spaces, e.g. ${DEFAULT_EVENTBRIDGE_SOURCE}.`,
      );
    return { kind: 'EVENTBRIDGE', eventBus: bus, eventBusRegion: region, source };
  }
}
