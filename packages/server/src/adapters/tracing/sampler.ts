import type { SpanContext } from '../../ports/tracer.js';

/** The samplers of `OTEL_TRACES_SAMPLER`. */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/**
 * Decides whether a new span is recorded. `traceidratio` keeps a trace when the low 52 bits of
 * its id fall under the ratio, so every process keeps the same traces; `parentbased_*` follows a
 * caller's sampled flag and applies the named sampler to new traces only.
 */
export function createSampler(
  name: SamplerName,
  ratio: number,
): (traceId: string, parent: SpanContext | undefined) => boolean {
  const root = name.replace('parentbased_', '');
  const rootDecision = (traceId: string) =>
    root === 'always_on'
      ? true
      : root === 'always_off'
        ? false
        : parseInt(traceId.slice(-13), 16) / 2 ** 52 < ratio;
  if (name.startsWith('parentbased_'))
    return (traceId, parent) => (parent ? parent.sampled : rootDecision(traceId));
  return (traceId) => rootDecision(traceId);
}
