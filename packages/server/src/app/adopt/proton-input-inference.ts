import { parse } from 'yaml';
import type { DiscoveredStack } from '../../ports/proton-estate.js';

/** Input name → schema type (`string`, `number`, `integer`, `boolean`, `array`) of one part. */
export type InputTypes = Record<string, string>;

/** The input types of a template version's schema, per part. */
export interface TemplateInputTypes {
  environment?: InputTypes;
  service?: InputTypes;
  pipeline?: InputTypes;
}

/** Reads the input types out of a template version's schema.yaml text. */
export function inputTypesOfSchema(schema: string): TemplateInputTypes {
  const doc = (parse(schema) as { schema?: Record<string, unknown> } | null)?.schema ?? {};
  const types = (doc.types ?? {}) as Record<string, { properties?: Record<string, unknown> }>;
  const of = (key: string): InputTypes | undefined => {
    const name = doc[key];
    const props = typeof name === 'string' ? types[name]?.properties : undefined;
    if (!props) return undefined;
    return Object.fromEntries(
      Object.entries(props).map(([k, v]) => [
        k,
        typeof (v as { type?: unknown })?.type === 'string'
          ? (v as { type: string }).type
          : 'string',
      ]),
    );
  };
  const out: TemplateInputTypes = {};
  const environment = of('environment_input_type');
  const service = of('service_input_type');
  const pipeline = of('pipeline_input_type');
  if (environment) out.environment = environment;
  if (service) out.service = service;
  if (pipeline) out.pipeline = pipeline;
  return out;
}

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The inputs a stack's parameters give where the template exposes an input as a parameter of the
 * same name (`desired_count` ↔ `DesiredCount`), typed by the schema. NoEcho values (`****`) are
 * not inferred.
 */
export function inputsFromParameters(
  types: InputTypes | undefined,
  parameters: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!types) return out;
  for (const [key, value] of Object.entries(parameters)) {
    const input = Object.keys(types).find((n) => norm(n) === norm(key));
    if (!input || /^\*+$/.test(value)) continue;
    const type = types[input];
    if (type === 'number' || type === 'integer') {
      const n = Number(value);
      if (value.trim() !== '' && Number.isFinite(n)) out[input] = n;
    } else if (type === 'boolean') {
      if (value === 'true' || value === 'false') out[input] = value === 'true';
    } else if (type === 'array') {
      out[input] = value === '' ? [] : value.split(',').map((v) => v.trim());
    } else out[input] = value;
  }
  return out;
}

/** What names a template version: kind, name and (when known) version. */
export type TemplateOf = Pick<
  DiscoveredStack,
  'templateKind' | 'templateName' | 'templateMajorVersion' | 'templateMinorVersion'
>;

export const templateKey = (s: Pick<DiscoveredStack, 'templateKind' | 'templateName'>) =>
  `${s.templateKind ?? ''}:${s.templateName ?? ''}`;
