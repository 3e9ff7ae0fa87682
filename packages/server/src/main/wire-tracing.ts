import type { Logger } from '@nucleon/core';
import { OtlpTracer } from '../adapters/tracing/otlp-trace-exporter.js';
import { createSampler } from '../adapters/tracing/sampler.js';
import type { Tracer } from '../ports/tracer.js';
import { ConfigError, envNames, type NucleonConfig } from './config.js';

/** `k=v,k2=v2` (values percent-encoded), as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
function keyValues(
  setting: 'otelHeaders' | 'otelTracesHeaders' | 'otelResourceAttributes',
  text: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    if (at <= 0 || key === '')
      throw new ConfigError([
        `${envNames[setting]}: "${item.trim()}" must be key=value (comma-separated)`,
      ]);
    try {
      out[key] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw new ConfigError([
        `${envNames[setting]}: the value of "${key}" is not valid percent-encoding`,
      ]);
    }
  }
  return out;
}

/**
 * The tracer of this process, or undefined when tracing is off: no OTLP endpoint set,
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none (ADR 0027). Spans go out as OTLP/HTTP JSON.
 */
export function wireTracing(
  config: NucleonConfig,
  logger: Logger,
  role: string,
): Tracer | undefined {
  const url =
    config.otelTracesEndpoint ??
    (config.otelEndpoint ? `${config.otelEndpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url || config.otelSdkDisabled) return undefined;
  const exporter = config.otelTracesExporter?.trim().toLowerCase();
  if (exporter === 'none') return undefined;
  if (exporter && exporter !== 'otlp')
    throw new ConfigError([
      `${envNames.otelTracesExporter}: "${exporter}" is not supported; Nucleon exports traces with otlp (or none)`,
    ]);
  const protocol = (config.otelTracesProtocol ?? config.otelProtocol)?.trim();
  if (protocol === 'grpc')
    throw new ConfigError([
      `${config.otelTracesProtocol ? envNames.otelTracesProtocol : envNames.otelProtocol}: Nucleon sends traces over OTLP/HTTP (JSON), not gRPC; unset it or set http/json and point the endpoint at the collector's OTLP/HTTP port (4318)`,
    ]);
  const resource = keyValues('otelResourceAttributes', config.otelResourceAttributes);
  const ratioNeeded = config.otelTracesSampler.endsWith('traceidratio');
  const tracer = new OtlpTracer({
    url,
    headers: {
      ...keyValues('otelHeaders', config.otelHeaders),
      ...keyValues('otelTracesHeaders', config.otelTracesHeaders),
    },
    resource: {
      ...resource,
      // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES.
      'service.name': config.otelServiceName ?? resource['service.name'] ?? 'nucleon',
      'nucleon.role': role,
    },
    sample: createSampler(
      config.otelTracesSampler,
      ratioNeeded ? (config.otelTracesSamplerArg ?? 1) : 1,
    ),
    maxQueueSize: config.otelBspMaxQueueSize,
    maxExportBatchSize: Math.min(config.otelBspMaxExportBatchSize, config.otelBspMaxQueueSize),
    scheduleDelayMs: config.otelBspScheduleDelayMs,
    exportTimeoutMs: config.otelTimeoutMs,
    logger,
  });
  logger.info('exporting traces', { url, sampler: config.otelTracesSampler });
  return tracer;
}
