/** One PutEvents entry (EventBridge's field names, lower-cased). */
export interface EventBusEntry {
  source: string;
  detailType: string;
  /** The event's `detail`, as JSON text. */
  detail: string;
  resources: string[];
  time: Date;
}

/**
 * Sends events to an EventBridge bus (PutEvents, at most ten entries). Resolves with one result
 * per entry, in order: undefined when EventBridge took it, else why not. Throws when the whole
 * call failed (unreachable, no credentials, no such bus).
 */
export interface EventBusPublisher {
  putEvents(
    bus: { eventBus: string; region: string },
    entries: EventBusEntry[],
    signal: AbortSignal,
  ): Promise<Array<string | undefined>>;
}
