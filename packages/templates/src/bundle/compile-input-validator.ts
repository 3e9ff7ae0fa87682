import { Ajv, type ValidateFunction } from 'ajv';
import {
  inputTypeName,
  type InputTypeKind,
  type ParsedTemplateSchema,
} from './template-schema-types.js';
import { formatAjvError, toJsonSchemaDefinitions } from './to-json-schema.js';

/** The result of validating a resource's inputs against its template's input type. */
export type InputValidationResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Validates inputs (the `spec` values of one resource); never mutates its argument. */
export type InputValidator = (inputs: unknown) => InputValidationResult;

const TYPES_ID = 'nucleon:template-schema';
const cache = new WeakMap<ParsedTemplateSchema, Map<InputTypeKind, InputValidator>>();

/**
 * Ajv options verified in stack-findings §5, plus `ownProperties` so that inputs named like
 * `Object.prototype` members (`constructor`, `toString`) behave like any other. Patterns are
 * unanchored, as in JSON Schema.
 */
export function createAjv(useDefaults: boolean): Ajv {
  return new Ajv({
    allErrors: true,
    useDefaults,
    strict: true,
    allowUnionTypes: true,
    unicodeRegExp: false,
    ownProperties: true,
  });
}

/**
 * Builds (once per schema object and kind; later calls hit a cache) a validator for the inputs
 * of an environment, a service instance or a pipeline. Omitted inputs get their schema
 * defaults; errors read like `spec.port must be number`, `spec: missing required input "x"`,
 * `spec: unknown input "extra"`, `spec.task_size must be one of "x-small", "small"`. When the
 * template declares no input type for `which`, only empty inputs are accepted.
 */
export function compileInputValidator(
  schema: ParsedTemplateSchema,
  which: InputTypeKind,
): InputValidator {
  let byKind = cache.get(schema);
  if (byKind === undefined) {
    byKind = new Map();
    cache.set(schema, byKind);
  }
  const cached = byKind.get(which);
  if (cached !== undefined) return cached;
  const typeName = inputTypeName(schema, which);
  const validator = typeName === undefined ? acceptNoInputs : buildValidator(schema, typeName);
  byKind.set(which, validator);
  return validator;
}

function acceptNoInputs(inputs: unknown): InputValidationResult {
  const empty =
    inputs === undefined ||
    inputs === null ||
    (isRecord(inputs) && Object.keys(inputs).length === 0);
  return empty
    ? { ok: true, value: {} }
    : { ok: false, errors: ['no input type declared for this resource, but inputs were given'] };
}

function buildValidator(schema: ParsedTemplateSchema, typeName: string): InputValidator {
  const ajv = createAjv(true);
  ajv.addSchema({ $id: TYPES_ID, definitions: toJsonSchemaDefinitions(schema.types, TYPES_ID) });
  const validate: ValidateFunction | undefined = ajv.getSchema(
    `${TYPES_ID}#/definitions/${typeName}`,
  );
  if (validate === undefined) {
    throw new Error(`input type "${typeName}" is not defined under types`);
  }
  return (inputs) => {
    if (inputs !== undefined && inputs !== null && !isRecord(inputs)) {
      return { ok: false, errors: ['spec must be a mapping of input names to values'] };
    }
    // Validate a null-prototype copy: defaults then fill inputs named `toString` or
    // `constructor` too, and the caller's object is never mutated.
    const value = copyObjects(inputs ?? {}, null) as Record<string, unknown>;
    if (validate(value)) {
      return { ok: true, value: copyObjects(value, Object.prototype) as Record<string, unknown> };
    }
    const errors = (validate.errors ?? []).map((error) => formatAjvError(error, 'spec'));
    return { ok: false, errors: [...new Set(errors)] };
  };
}

/** Deep copy in which every plain object gets `prototype` (null or Object.prototype). */
function copyObjects(value: unknown, prototype: object | null): unknown {
  if (Array.isArray(value)) return value.map((item) => copyObjects(item, prototype));
  if (!isRecord(value)) return value;
  const copy = Object.create(prototype) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, key, {
      value: copyObjects(item, prototype),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
