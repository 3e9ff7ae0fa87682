import type { EventBusPublisher } from '../../ports/event-bus-publisher.js';
import type { EventStore } from '../../ports/event-store.js';
import { eventEnvelope } from './event-envelope.js';

/** PutEvents takes at most ten entries. */
const BATCH = 10;
/** How long a batch's events stay claimed by the job sending them (longer than the call's timeout). */
const CLAIM_MS = 90_000;
const TIMEOUT_MS = 30_000;

/**
 * Sends one `event-delivery` job's event to its EventBridge bus, with up to nine other fresh
 * events of the same subscription in the same PutEvents call. Each entry's outcome is recorded;
 * the job throws when its own entry failed, so the queue retries it with its backoff, and the
 * other failed events are retried by their own jobs. At least once: a crash after PutEvents sends
 * the batch again.
 */
export async function deliverToEventBridge(
  deps: {
    store: EventStore;
    publisher: EventBusPublisher;
    scope: { region: string; accountId: string };
  },
  eventId: string,
  subscriptionId: string,
  signal: AbortSignal,
): Promise<void> {
  const batch = await deps.store.claimBatch(eventId, subscriptionId, BATCH, CLAIM_MS);
  if (batch.state === 'gone' || batch.state === 'done') return;
  if (batch.state === 'busy')
    throw new Error('the event is in a batch another delivery job is sending; checking again');
  if (batch.target.kind !== 'EVENTBRIDGE') throw new Error('not an EventBridge subscription');
  const target = batch.target;
  const entries = batch.events.map((e) => {
    const envelope = eventEnvelope(e, deps.scope);
    return {
      source: target.source,
      detailType: e.detailType,
      detail: JSON.stringify(envelope.detail),
      resources: envelope.resources,
      time: e.at,
    };
  });
  let results: Array<string | undefined>;
  try {
    results = await deps.publisher.putEvents(
      { eventBus: target.eventBus, region: target.eventBusRegion },
      entries,
      AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    );
  } catch (e) {
    // Stopping or lease lost: record nothing; the claims lapse and the job runs again.
    if (signal.aborted) throw e;
    const error = e as { name?: string; message?: string };
    const why = `PutEvents to ${target.eventBus} (${target.eventBusRegion}) failed: ${error.name ?? 'Error'}: ${error.message ?? String(e)}`;
    results = entries.map(() => why);
  }
  await deps.store.recordBatch(
    subscriptionId,
    eventId,
    batch.events.map((e, i) => ({ eventId: e.id, ...(results[i] ? { error: results[i] } : {}) })),
  );
  const own = results[batch.events.findIndex((e) => e.id === eventId)];
  if (own) throw new Error(own);
}
