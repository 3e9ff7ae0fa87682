/** JSON types an input may declare (OpenAPI 3.0 Schema Object `type`). */
export type SchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/**
 * The OpenAPI 3.0 Schema Object subset Nucleon accepts in `schema/schema.yaml` (spec §4.3).
 * Specification extensions (`x-…`) are accepted and dropped when parsing.
 */
export interface SchemaObject {
  readonly $ref?: string;
  readonly type?: SchemaType;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /** OpenAPI 3.0 form (`true` makes `minimum` exclusive) or JSON Schema form (a number). */
  readonly exclusiveMinimum?: boolean | number;
  readonly exclusiveMaximum?: boolean | number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly items?: SchemaObject;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaObject>>;
  readonly nullable?: boolean;
  readonly example?: unknown;
  readonly examples?: unknown;
  readonly format?: string;
  readonly deprecated?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
}

/** Which input type of a template: the resource that gets the inputs. */
export type InputTypeKind = 'environment' | 'service' | 'pipeline';

/** A validated `schema/schema.yaml`. */
export interface ParsedTemplateSchema {
  /** `schema.environment_input_type`: the type whose properties are environment inputs. */
  readonly environmentInputType?: string;
  /** `schema.service_input_type`: the type of each service instance's `spec`. */
  readonly serviceInputType?: string;
  /** `schema.pipeline_input_type`: the type of the ServiceSpec `pipeline` section. */
  readonly pipelineInputType?: string;
  /** `schema.types`, keyed by type name. */
  readonly types: Readonly<Record<string, SchemaObject>>;
}

/** The type name a template schema declares for `which`, if any. */
export function inputTypeName(
  schema: ParsedTemplateSchema,
  which: InputTypeKind,
): string | undefined {
  if (which === 'environment') return schema.environmentInputType;
  if (which === 'service') return schema.serviceInputType;
  return schema.pipelineInputType;
}

/** Follows `$ref: '#/types/X'` links (cycle-safe); returns the target, or undefined if dangling. */
export function resolveSchemaRef(
  schema: ParsedTemplateSchema,
  object: SchemaObject,
): SchemaObject | undefined {
  let current: SchemaObject | undefined = object;
  const seen = new Set<string>();
  while (current?.$ref !== undefined) {
    const ref: string = current.$ref;
    if (seen.has(ref)) return undefined;
    seen.add(ref);
    current = lookupType(schema.types, refTypeName(ref));
  }
  return current;
}

/** `#/types/Name` → `Name`; anything else → undefined. */
export function refTypeName(ref: string): string | undefined {
  return ref.startsWith('#/types/') ? ref.slice('#/types/'.length) : undefined;
}

/** Own-property lookup, so that names such as `constructor` never hit `Object.prototype`. */
export function lookupType(
  types: Readonly<Record<string, SchemaObject>>,
  name: string | undefined,
): SchemaObject | undefined {
  return name !== undefined && Object.hasOwn(types, name) ? types[name] : undefined;
}
