import { Ajv, type ValidateFunction } from 'ajv';
import {
  inputTypeName,
  type InputTypeKind,
  type ParsedTemplateSchema,
} from './template-schema-types.js';
import { formatAjvError, toJsonSchemaDefinitions } from './to-json-schema.js';

/**
 * The result of validating a resource's inputs against its template's input type. `warnings`
 * name the inputs the schema does not declare: Proton accepted those, so Nucleon accepts them
 * too, leaves them out of `value` (rendering never sees them) and reports them (ADR 0016).
 */
export type InputValidationResult =
  | {
      readonly ok: true;
      readonly value: Record<string, unknown>;
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly string[];
      readonly warnings: readonly string[];
    };

/** Validates inputs (the `spec` values of one resource); never mutates its argument. */
export type InputValidator = (inputs: unknown) => InputValidationResult;

const TYPES_ID = 'nucleon:template-schema';
const cache = new WeakMap<ParsedTemplateSchema, Map<InputTypeKind, InputValidator>>();

/**
 * Ajv options verified in stack-findings §5, plus `ownProperties` so that inputs named like
 * `Object.prototype` members (`constructor`, `toString`) behave like any other. Patterns are
 * unanchored, as in JSON Schema.
 */
export function createAjv(useDefaults: boolean, removeAdditional = false): Ajv {
  return new Ajv({
    allErrors: true,
    useDefaults,
    removeAdditional,
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
 * `spec.task_size must be one of "x-small", "small"`. Inputs the schema does not declare (at
 * any depth) are dropped from the value and reported as warnings such as
 * `spec: undeclared input "extra" is ignored (...)`; when the template declares no input type
 * for `which`, every given input is such a warning.
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

const NOT_A_MAPPING = 'spec must be a mapping of input names to values';

function acceptNoInputs(inputs: unknown): InputValidationResult {
  if (inputs === undefined || inputs === null) return { ok: true, value: {}, warnings: [] };
  if (!isRecord(inputs)) return { ok: false, errors: [NOT_A_MAPPING], warnings: [] };
  const warnings = Object.keys(inputs).map(
    (name) =>
      `spec: undeclared input ${JSON.stringify(name)} is ignored (the template's schema declares no input type for this resource)`,
  );
  return { ok: true, value: {}, warnings };
}

function compileType(ajv: Ajv, schema: ParsedTemplateSchema, typeName: string): ValidateFunction {
  ajv.addSchema({ $id: TYPES_ID, definitions: toJsonSchemaDefinitions(schema.types, TYPES_ID) });
  const validate = ajv.getSchema(`${TYPES_ID}#/definitions/${typeName}`);
  if (validate === undefined) {
    throw new Error(`input type "${typeName}" is not defined under types`);
  }
  return validate;
}

function buildValidator(schema: ParsedTemplateSchema, typeName: string): InputValidator {
  // One pass finds the undeclared inputs; the other drops them, fills defaults and checks the rest.
  const findUndeclared = compileType(createAjv(false), schema, typeName);
  const validate = compileType(createAjv(true, true), schema, typeName);
  return (inputs) => {
    if (inputs !== undefined && inputs !== null && !isRecord(inputs)) {
      return { ok: false, errors: [NOT_A_MAPPING], warnings: [] };
    }
    // Validate null-prototype copies: defaults then fill inputs named `toString` or
    // `constructor` too, and the caller's object is never mutated.
    findUndeclared(copyObjects(inputs ?? {}, null));
    const warnings = [
      ...new Set(
        (findUndeclared.errors ?? [])
          .filter((error) => error.keyword === 'additionalProperties')
          .map((error) => formatAjvError(error, 'spec')),
      ),
    ];
    const value = copyObjects(inputs ?? {}, null) as Record<string, unknown>;
    if (validate(value)) {
      const copy = copyObjects(value, Object.prototype) as Record<string, unknown>;
      return { ok: true, value: copy, warnings };
    }
    const errors = (validate.errors ?? []).map((error) => formatAjvError(error, 'spec'));
    return { ok: false, errors: [...new Set(errors)], warnings };
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
