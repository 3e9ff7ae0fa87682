/**
 * Traces of what a process does (ADR 0027): a SERVER span per API call, an INTERNAL span per
 * deployment job. Optional: when tracing is off no tracer exists and callers skip the work.
 */
export type SpanKind = 'server' | 'internal';

export type SpanAttributeValue = string | number | boolean;

/** The W3C trace context of a span (hex ids). */
export interface SpanContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export interface Span {
  readonly context: SpanContext;
  setName(name: string): void;
  setAttribute(key: string, value: SpanAttributeValue): void;
  /** Marks the span failed (OTLP status code 2) with a message. */
  fail(message: string): void;
  /** Ends the span and hands it to the exporter; later calls do nothing. */
  end(): void;
}

export interface Tracer {
  startSpan(
    name: string,
    options: {
      kind: SpanKind;
      /** The caller's context (an incoming `traceparent`): the span continues its trace. */
      parent?: SpanContext | undefined;
      attributes?: Record<string, SpanAttributeValue>;
    },
  ): Span;
  /** Exports what is queued and stops the timer. */
  stop(): Promise<void>;
}
