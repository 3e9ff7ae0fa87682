import { randomBytes } from 'node:crypto';
import { coerceError, type Logger } from '@nucleon/core';
import type {
  Span,
  SpanAttributeValue,
  SpanContext,
  SpanKind,
  Tracer,
} from '../../ports/tracer.js';
import { encodeTraceExport, type FinishedSpan } from './otlp-json.js';

export interface OtlpTracerOptions {
  /** Where spans are POSTed (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`). */
  url: string;
  headers: Record<string, string>;
  /** Resource attributes (`service.name`, …). */
  resource: Record<string, SpanAttributeValue>;
  sample(traceId: string, parent: SpanContext | undefined): boolean;
  /** Finished spans held at most; the oldest is dropped (and counted) beyond it. */
  maxQueueSize: number;
  /** Spans per POST at most; a full batch is sent at once. */
  maxExportBatchSize: number;
  /** How often the queue is sent. */
  scheduleDelayMs: number;
  /** One POST's time limit. */
  exportTimeoutMs: number;
  logger: Logger;
}

/** Export failures and drops are logged at most this often. */
const WARN_EVERY_MS = 60_000;

/** Nanoseconds since the epoch, from the monotonic clock anchored at process start. */
function nowNanos(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1_000_000));
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A span that is not sampled: carries its context, records nothing. */
class UnsampledSpan implements Span {
  constructor(readonly context: SpanContext) {}
  setName(): void {}
  setAttribute(): void {}
  fail(): void {}
  end(): void {}
}

class RecordingSpan implements Span {
  private readonly startNanos = nowNanos();
  private error: string | undefined;
  private ended = false;
  constructor(
    readonly context: SpanContext,
    private name: string,
    private readonly kind: SpanKind,
    private readonly parentSpanId: string | undefined,
    private readonly attributes: Record<string, SpanAttributeValue>,
    private readonly finish: (span: FinishedSpan) => void,
  ) {}
  setName(name: string): void {
    this.name = name;
  }
  setAttribute(key: string, value: SpanAttributeValue): void {
    this.attributes[key] = value;
  }
  fail(message: string): void {
    this.error = message;
  }
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.finish({
      traceId: this.context.traceId,
      spanId: this.context.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startNanos: this.startNanos,
      endNanos: nowNanos(),
      attributes: this.attributes,
      error: this.error,
    });
  }
}

/**
 * A dependency-free tracer exporting OTLP/HTTP JSON (ADR 0027): finished spans wait in a bounded
 * queue and are POSTed in batches every `scheduleDelayMs`, when a batch fills, and on stop. An
 * export never blocks or fails the work it traces; failures are logged at most once a minute.
 */
export class OtlpTracer implements Tracer {
  private queue: FinishedSpan[] = [];
  private exporting: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  /** Spans dropped because the queue was full, and since the last warning. */
  dropped = 0;
  private droppedUnreported = 0;
  private failuresUnreported = 0;
  private lastWarnAt = -Infinity;

  constructor(private readonly options: OtlpTracerOptions) {
    this.timer = setInterval(() => this.flushSoon(), options.scheduleDelayMs);
    this.timer.unref();
  }

  startSpan(
    name: string,
    options: {
      kind: SpanKind;
      parent?: SpanContext | undefined;
      attributes?: Record<string, SpanAttributeValue>;
    },
  ): Span {
    const parent = options.parent;
    const traceId = parent?.traceId ?? hex(16);
    const context = { traceId, spanId: hex(8), sampled: this.options.sample(traceId, parent) };
    if (!context.sampled || this.stopped) return new UnsampledSpan(context);
    return new RecordingSpan(
      context,
      name,
      options.kind,
      parent?.spanId,
      { ...options.attributes },
      (span) => this.enqueue(span),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.exporting;
    // What is left goes out now; once the collector fails, the rest is dropped (no long exits).
    while (this.queue.length > 0) {
      if (await this.exportBatch()) continue;
      this.droppedUnreported += this.queue.length;
      this.dropped += this.queue.length;
      this.queue = [];
    }
    this.warnIfDue(true);
  }

  private enqueue(span: FinishedSpan): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      this.queue.shift();
      this.dropped += 1;
      this.droppedUnreported += 1;
    }
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.flushSoon();
  }

  /** Starts sending the queue unless a send is under way. */
  private flushSoon(): void {
    if (this.exporting || this.queue.length === 0) return;
    this.exporting = (async () => {
      try {
        while (this.queue.length > 0) await this.exportBatch();
      } finally {
        this.exporting = undefined;
      }
    })();
  }

  /** Sends one batch; a failure loses it (spans are not retried) and is counted. */
  private async exportBatch(): Promise<boolean> {
    const batch = this.queue.splice(0, this.options.maxExportBatchSize);
    if (batch.length === 0) return true;
    let ok = true;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json' },
        body: encodeTraceExport(this.options.resource, { name: 'nucleon' }, batch),
        signal: AbortSignal.timeout(this.options.exportTimeoutMs),
      });
      // The body (a partial-success notice at most) is not needed; free the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`the collector answered HTTP ${response.status}`);
    } catch (error) {
      ok = false;
      this.failuresUnreported += 1;
      this.lastError = coerceError(error).message;
    }
    this.warnIfDue(false);
    return ok;
  }

  private lastError = '';

  private warnIfDue(force: boolean): void {
    if (this.failuresUnreported === 0 && this.droppedUnreported === 0) return;
    const now = performance.now();
    if (!force && now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.options.logger.warn('could not export traces', {
      url: this.options.url,
      failedExports: this.failuresUnreported,
      droppedSpans: this.droppedUnreported,
      ...(this.failuresUnreported > 0 ? { error: this.lastError } : {}),
    });
    this.failuresUnreported = 0;
    this.droppedUnreported = 0;
  }
}
