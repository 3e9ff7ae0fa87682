import type { ErrorObject } from 'ajv';
import { refTypeName, type SchemaObject } from './template-schema-types.js';

/** A JSON Schema (draft-07) document as Ajv takes it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts an OpenAPI 3.0 schema object to the JSON Schema that Ajv validates with:
 * `$ref: '#/types/X'` → `<refBase>#/definitions/X`; `nullable` → a `null` type (and enum
 * value); boolean `exclusiveMinimum/Maximum` → the numeric draft-07 form; objects get
 * `additionalProperties: false` so that undeclared inputs are found (and, with Ajv's
 * `removeAdditional`, dropped). Annotations (title,
 * description, example(s), format, deprecated, readOnly, writeOnly) are dropped: they never
 * affect validation, and `format` values such as `int32` are OpenAPI hints, not checks.
 */
export function toJsonSchema(object: SchemaObject, refBase = ''): JsonSchema {
  if (object.$ref !== undefined) {
    return { $ref: `${refBase}#/definitions/${refTypeName(object.$ref) ?? ''}` };
  }
  const out: JsonSchema = {};
  if (object.type !== undefined)
    out.type = object.nullable === true ? [object.type, 'null'] : object.type;
  if (object.enum !== undefined) {
    out.enum =
      object.nullable === true && !object.enum.includes(null)
        ? [...object.enum, null]
        : object.enum;
  }
  for (const key of [
    'pattern',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'uniqueItems',
    'default',
  ] as const) {
    if (object[key] !== undefined) out[key] = object[key];
  }
  copyRange(object, out, 'minimum', 'exclusiveMinimum');
  copyRange(object, out, 'maximum', 'exclusiveMaximum');
  if (object.items !== undefined) out.items = toJsonSchema(object.items, refBase);
  if (object.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(object.properties).map(([name, child]) => [
        name,
        toJsonSchema(child, refBase),
      ]),
    );
    out.additionalProperties = false;
  }
  if (object.required !== undefined && object.required.length > 0) out.required = object.required;
  return out;
}

function copyRange(
  object: SchemaObject,
  out: JsonSchema,
  bound: 'minimum' | 'maximum',
  exclusive: 'exclusiveMinimum' | 'exclusiveMaximum',
): void {
  const limit = object[bound];
  const flag = object[exclusive];
  if (flag === true && limit !== undefined) {
    out[exclusive] = limit;
    return;
  }
  if (limit !== undefined) out[bound] = limit;
  if (typeof flag === 'number') out[exclusive] = flag;
}

/**
 * Converts every type of a template schema into draft-07 `definitions`. A `default` on a type
 * itself is dropped: Ajv fills defaults only for properties, and rejects (in strict mode) a
 * default at the root of a compiled schema.
 */
export function toJsonSchemaDefinitions(
  types: Readonly<Record<string, SchemaObject>>,
  refBase = '',
): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(types).map(([name, object]) => {
      const { default: _ignored, ...converted } = toJsonSchema(object, refBase);
      return [name, converted];
    }),
  );
}

/**
 * Turns an Ajv error into Nucleon's wording, with the location written from `root`
 * (`spec.port must be number`, `spec: missing required input "x"`, and for an undeclared input —
 * a warning, not an error — `spec: undeclared input "y" is ignored (...)`).
 */
export function formatAjvError(error: ErrorObject, root: string): string {
  const where = instancePathToLabel(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where}: missing required input "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${where}: undeclared input ${JSON.stringify(String(params.additionalProperty))} is ignored (the template's schema does not declare it)`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${where} must be ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/** `/port` → `spec.port`; `/subnets/0` → `spec.subnets[0]`; `/a~1b` → `spec["a/b"]`. */
export function instancePathToLabel(instancePath: string, root: string): string {
  if (instancePath === '') return root;
  return instancePath
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((label, segment) => {
      if (/^\d+$/.test(segment)) return `${label}[${segment}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return `${label}.${segment}`;
      return `${label}[${JSON.stringify(segment)}]`;
    }, root);
}
