import type { SpanAttributeValue, SpanKind } from '../../ports/tracer.js';

/** A finished span, as the exporter queues it. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  kind: SpanKind;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, SpanAttributeValue>;
  error?: string | undefined;
}

type AnyValue =
  { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function anyValue(value: SpanAttributeValue): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  // OTLP/JSON carries 64-bit integers as decimal strings.
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

const attributes = (record: Record<string, SpanAttributeValue>) =>
  Object.entries(record).map(([key, value]) => ({ key, value: anyValue(value) }));

/** OTLP span kinds: 1 INTERNAL, 2 SERVER. */
const KIND: Record<SpanKind, number> = { internal: 1, server: 2 };

/**
 * The OTLP/HTTP JSON encoding of an `ExportTraceServiceRequest`: ids as hex, times as decimal
 * strings of nanoseconds since the epoch, status code 2 (ERROR) for a failed span.
 */
export function encodeTraceExport(
  resource: Record<string, SpanAttributeValue>,
  scope: { name: string },
  spans: readonly FinishedSpan[],
): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [
          {
            scope,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: KIND[s.kind],
              startTimeUnixNano: s.startNanos.toString(),
              endTimeUnixNano: s.endNanos.toString(),
              attributes: attributes(s.attributes),
              status: s.error !== undefined ? { code: 2, message: s.error } : { code: 0 },
            })),
          },
        ],
      },
    ],
  });
}
