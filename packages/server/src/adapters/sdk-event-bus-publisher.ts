import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventBusEntry, EventBusPublisher } from '../ports/event-bus-publisher.js';

/**
 * PutEvents through the AWS SDK with its default credential and endpoint chain (AWS_PROFILE,
 * instance and task roles, AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL), one client per
 * region. The SDK is loaded on first use: most installations never send to EventBridge.
 */
export class SdkEventBusPublisher implements EventBusPublisher {
  private readonly clients = new Map<string, EventBridgeClient>();

  async putEvents(
    bus: { eventBus: string; region: string },
    entries: EventBusEntry[],
    signal: AbortSignal,
  ): Promise<Array<string | undefined>> {
    const { EventBridgeClient: Client, PutEventsCommand } =
      await import('@aws-sdk/client-eventbridge');
    let client = this.clients.get(bus.region);
    if (!client) {
      client = new Client({ region: bus.region, maxAttempts: 2 });
      this.clients.set(bus.region, client);
    }
    const out = await client.send(
      new PutEventsCommand({
        Entries: entries.map((e) => ({
          EventBusName: bus.eventBus,
          Source: e.source,
          DetailType: e.detailType,
          Detail: e.detail,
          Resources: e.resources,
          Time: e.time,
        })),
      }),
      { abortSignal: signal },
    );
    // Entries answer in request order; an entry with an ErrorCode was not taken.
    return entries.map((_, i) => {
      const r = out.Entries?.[i];
      if (!r) return 'EventBridge returned no result for this entry';
      return r.ErrorCode ? `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim() : undefined;
    });
  }

  close() {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
