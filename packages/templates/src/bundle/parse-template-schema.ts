import { ValidationError } from '@nucleon/core';
import { formatBundleProblems, type BundleProblem } from './bundle-problem.js';
import { checkSchemaObject, isPlainObject } from './check-schema-object.js';
import { checkSchemaValues } from './check-schema-values.js';
import { checkSchemaRules, findRefCycles, type SchemaRules } from './check-schema-rules.js';
import type { ParsedTemplateSchema, SchemaObject } from './template-schema-types.js';
import { parseYamlStrict, type YamlSource } from './yaml-source.js';

export type { SchemaRules } from './check-schema-rules.js';

/** Where the schema lives in every bundle. */
export const SCHEMA_FILE = 'schema/schema.yaml';

const SCHEMA_KEYS = [
  'format',
  'environment_input_type',
  'service_input_type',
  'pipeline_input_type',
  'types',
];
const INPUT_TYPE_KEYS = [
  'environment_input_type',
  'service_input_type',
  'pipeline_input_type',
] as const;

/**
 * Parses and checks `schema/schema.yaml` (spec §4.3): a top-level `schema:` with
 * `format.openapi: "3.0.0"`, input type names that exist under `types`, each an object type with
 * `properties`, only the supported OpenAPI keywords, resolvable `$ref`s, valid patterns and
 * defaults. With `rules`, the template-kind rules apply too (which input types must or must not
 * be declared; customer-managed environments). `schema` is returned only without problems.
 */
export function parseTemplateSchema(
  text: string,
  rules: SchemaRules = {},
): { schema?: ParsedTemplateSchema; problems: BundleProblem[] } {
  const { source, problems } = parseYamlStrict(SCHEMA_FILE, text);
  if (source === undefined) return { problems };
  const root = source.value;
  if (!isPlainObject(root) || !isPlainObject(root.schema)) {
    return { problems: [source.problem([], 'must have a top-level "schema:" mapping')] };
  }
  for (const key of Object.keys(root)) {
    if (key !== 'schema')
      problems.push(
        source.problem([key], `unknown top-level key "${key}"; everything goes under "schema:"`),
      );
  }
  const body = root.schema;
  for (const key of Object.keys(body)) {
    if (!SCHEMA_KEYS.includes(key)) {
      problems.push(
        source.problem(
          ['schema', key],
          `unknown key "schema.${key}"; allowed: ${SCHEMA_KEYS.join(', ')}`,
        ),
      );
    }
  }
  checkFormat(body.format, source, problems);
  const types = checkTypes(body.types, source, problems);
  const schema: ParsedTemplateSchema = {
    ...inputTypeNames(body, types, source, problems),
    types: types as Record<string, SchemaObject>,
  };
  if (problems.length === 0) problems.push(...findRefCycles(schema, source));
  if (problems.length === 0) problems.push(...checkSchemaRules(schema, rules, source));
  if (problems.length === 0) problems.push(...checkSchemaValues(schema, source));
  return problems.length === 0 ? { schema, problems } : { problems };
}

/**
 * Like {@link parseTemplateSchema} without template-kind rules, for schemas that were already
 * accepted once (stored template versions); throws a {@link ValidationError} listing problems.
 */
export function loadTemplateSchema(text: string): ParsedTemplateSchema {
  const { schema, problems } = parseTemplateSchema(text);
  if (schema === undefined) throw new ValidationError(formatBundleProblems(problems));
  return schema;
}

function checkFormat(format: unknown, source: YamlSource, problems: BundleProblem[]): void {
  if (!isPlainObject(format) || format.openapi !== '3.0.0') {
    problems.push(source.problem(['schema', 'format'], 'schema.format.openapi must be "3.0.0"'));
  }
}

function checkTypes(
  types: unknown,
  source: YamlSource,
  problems: BundleProblem[],
): Record<string, unknown> {
  if (!isPlainObject(types)) {
    problems.push(
      source.problem(
        ['schema', 'types'],
        'schema.types must be a mapping of type names to object schemas',
      ),
    );
    return {};
  }
  const ctx = { source, typeNames: new Set(Object.keys(types)), problems };
  for (const [name, object] of Object.entries(types))
    checkSchemaObject(object, ['schema', 'types', name], ctx);
  return types;
}

function inputTypeNames(
  body: Record<string, unknown>,
  types: Record<string, unknown>,
  source: YamlSource,
  problems: BundleProblem[],
): Pick<ParsedTemplateSchema, 'environmentInputType' | 'serviceInputType' | 'pipelineInputType'> {
  const names: Partial<Record<(typeof INPUT_TYPE_KEYS)[number], string>> = {};
  for (const key of INPUT_TYPE_KEYS) {
    const name = body[key];
    if (name === undefined) continue;
    if (typeof name !== 'string' || name === '') {
      problems.push(
        source.problem(['schema', key], `${key} must be the name of a type under types`),
      );
      continue;
    }
    names[key] = name;
    const type = Object.hasOwn(types, name) ? types[name] : undefined;
    if (type === undefined) {
      problems.push(source.problem(['schema', key], `${key} "${name}" is not defined under types`));
    } else if (!isPlainObject(type) || type.type !== 'object' || !isPlainObject(type.properties)) {
      problems.push(
        source.problem(
          ['schema', 'types', name],
          `input type "${name}" (${key}) must be "type: object" with "properties"`,
        ),
      );
    }
  }
  return {
    ...(names.environment_input_type === undefined
      ? {}
      : { environmentInputType: names.environment_input_type }),
    ...(names.service_input_type === undefined
      ? {}
      : { serviceInputType: names.service_input_type }),
    ...(names.pipeline_input_type === undefined
      ? {}
      : { pipelineInputType: names.pipeline_input_type }),
  };
}
