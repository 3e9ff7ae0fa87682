import { extensionTargetPrefix } from '@nucleon/protocol';
import type { EventsService } from '../app/events/events-service.js';
import type { OperationEntry } from './operation-registry.js';

/** CreateEventSubscription, ListEventSubscriptions, DeleteEventSubscription, ListEventDeliveries. */
export function eventOperations(events: EventsService): Array<[string, OperationEntry]> {
  const entry = (
    name: string,
    input: string,
    output: string,
    handler: OperationEntry['handler'],
  ): [string, OperationEntry] => [`${extensionTargetPrefix}.${name}`, { input, output, handler }];
  return [
    entry(
      'CreateEventSubscription',
      'CreateEventSubscriptionInput',
      'EventSubscriptionOutput',
      (i) => events.subscribe(i),
    ),
    entry(
      'ListEventSubscriptions',
      'ListEventSubscriptionsInput',
      'ListEventSubscriptionsOutput',
      () => events.list(),
    ),
    entry(
      'DeleteEventSubscription',
      'DeleteEventSubscriptionInput',
      'DeleteEventSubscriptionOutput',
      (i) => events.unsubscribe(String(i.id)),
    ),
    entry('ListEventDeliveries', 'ListEventDeliveriesInput', 'ListEventDeliveriesOutput', (i) =>
      events.deliveries({
        ...(typeof i.subscriptionId === 'string' ? { subscriptionId: i.subscriptionId } : {}),
        ...(typeof i.maxResults === 'number' ? { maxResults: i.maxResults } : {}),
      }),
    ),
  ];
}
