import type { Logger } from '@nucleon/core';
import type { ClaimedJob, JobHandler } from '../../ports/job-queue.js';
import type { EventStore } from '../../ports/event-store.js';
import type { EventBusPublisher } from '../../ports/event-bus-publisher.js';
import { deliverToEventBridge } from './eventbridge-delivery.js';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  eventEnvelope,
  signEvent,
} from './event-envelope.js';

const TIMEOUT_MS = 10_000;

/**
 * Delivers one event to one subscription per `event-delivery` job. A webhook gets a signed POST
 * that must answer 2xx; an EventBridge bus gets a PutEvents entry (batched with other fresh
 * events, eventbridge-delivery.ts). A failure throws, so the job queue tries again with its
 * backoff (2, 4, 8… seconds) until the job's attempts run out; then the delivery is recorded
 * FAILED. At least once: a receiver may see an event twice (dedupe on the event id).
 */
export function eventDeliveryJob(deps: {
  store: EventStore;
  publisher: EventBusPublisher;
  scope: { region: string; accountId: string };
  logger: Logger;
  fetch?: typeof fetch;
}): JobHandler {
  const send = deps.fetch ?? fetch;
  const ids = (job: ClaimedJob) => [
    String(job.payload.eventId),
    String(job.payload.subscriptionId),
  ];
  return {
    async run(job, signal) {
      const [eventId, subscriptionId] = ids(job) as [string, string];
      const found = await deps.store.delivery(eventId, subscriptionId);
      if (!found) return; // the subscription was deleted
      const { event, target } = found;
      if (target.kind === 'EVENTBRIDGE')
        return deliverToEventBridge(deps, eventId, subscriptionId, signal);
      const body = JSON.stringify(eventEnvelope(event, deps.scope));
      const timestamp = String(Math.floor(Date.now() / 1000));
      let error: string | undefined;
      try {
        const res = await send(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'nucleon-events',
            [EVENT_ID_HEADER]: eventId,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signEvent(target.secret, timestamp, body),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
        });
        await res.body?.cancel();
        if (res.status < 200 || res.status > 299) error = `the receiver answered ${res.status}`;
      } catch (e) {
        if (signal.aborted) throw e;
        error = `the receiver could not be reached: ${e instanceof Error ? e.message : String(e)}`;
      }
      await deps.store.recordAttempt(eventId, subscriptionId, {
        status: error ? 'PENDING' : 'DELIVERED',
        ...(error ? { error } : {}),
      });
      if (error) throw new Error(error);
    },
    async exhausted(job) {
      const [eventId, subscriptionId] = ids(job) as [string, string];
      deps.logger.warn('gave up delivering an event', {
        eventId,
        subscriptionId,
        error: job.lastError,
      });
      await deps.store.recordAttempt(eventId, subscriptionId, {
        status: 'FAILED',
        error: job.lastError ?? 'interrupted',
        attempt: false,
      });
    },
  };
}
