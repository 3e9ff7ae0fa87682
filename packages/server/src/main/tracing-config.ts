import { z } from 'zod';
import { SAMPLERS } from '../adapters/tracing/sampler.js';

/**
 * The OpenTelemetry settings Nucleon reads, under their standard names (ADR 0027). Part of the
 * configuration schema (config.ts); main/wire-tracing.ts turns them into a tracer.
 */
export const tracingSettings = {
  otelSdkDisabled: z
    .string()
    .default('false')
    .transform((v) => v.trim().toLowerCase() === 'true'),
  otelTracesExporter: z.string().optional(),
  otelEndpoint: z.string().url().optional(),
  otelTracesEndpoint: z.string().url().optional(),
  otelHeaders: z.string().optional(),
  otelTracesHeaders: z.string().optional(),
  otelProtocol: z.string().optional(),
  otelTracesProtocol: z.string().optional(),
  otelTimeoutMs: z.coerce.number().int().min(1).default(10_000),
  otelServiceName: z.string().min(1).optional(),
  otelResourceAttributes: z.string().optional(),
  otelTracesSampler: z.enum(SAMPLERS).default('parentbased_always_on'),
  otelTracesSamplerArg: z.coerce.number().min(0).max(1).optional(),
  otelBspScheduleDelayMs: z.coerce.number().int().min(1).default(5000),
  otelBspMaxQueueSize: z.coerce.number().int().min(1).default(2048),
  otelBspMaxExportBatchSize: z.coerce.number().int().min(1).default(512),
};

export const tracingEnvNames: Record<keyof typeof tracingSettings, string> = {
  otelSdkDisabled: 'OTEL_SDK_DISABLED',
  otelTracesExporter: 'OTEL_TRACES_EXPORTER',
  otelEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otelTracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  otelHeaders: 'OTEL_EXPORTER_OTLP_HEADERS',
  otelTracesHeaders: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  otelProtocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  otelTracesProtocol: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  otelTimeoutMs: 'OTEL_EXPORTER_OTLP_TIMEOUT',
  otelServiceName: 'OTEL_SERVICE_NAME',
  otelResourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  otelTracesSampler: 'OTEL_TRACES_SAMPLER',
  otelTracesSamplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  otelBspScheduleDelayMs: 'OTEL_BSP_SCHEDULE_DELAY',
  otelBspMaxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
  otelBspMaxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
};
