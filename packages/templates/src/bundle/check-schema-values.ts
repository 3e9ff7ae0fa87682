import type { BundleProblem } from './bundle-problem.js';
import { describeSchemaPath } from './check-schema-object.js';
import { createAjv } from './compile-input-validator.js';
import type { ParsedTemplateSchema, SchemaObject } from './template-schema-types.js';
import { formatAjvError, toJsonSchema, toJsonSchemaDefinitions } from './to-json-schema.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

const TYPES_ID = 'nucleon:schema-check';

/**
 * Checks that every `default` and every `enum` value satisfies the schema it sits in (a
 * `default: "abc"` on a number input, or an enum value that breaks its own `pattern`). Runs
 * only on a structurally valid schema.
 */
export function checkSchemaValues(
  schema: ParsedTemplateSchema,
  source: YamlSource,
): BundleProblem[] {
  const ajv = createAjv(false);
  ajv.addSchema({ $id: TYPES_ID, definitions: toJsonSchemaDefinitions(schema.types, TYPES_ID) });
  const problems: BundleProblem[] = [];
  const visit = (object: SchemaObject, path: YamlPath): void => {
    if (object.$ref !== undefined) return;
    if (object.default !== undefined || object.enum !== undefined) {
      problems.push(...checkValues(ajv, object, path, source));
    }
    for (const [name, child] of Object.entries(object.properties ?? {})) {
      visit(child, [...path, 'properties', name]);
    }
    if (object.items !== undefined) visit(object.items, [...path, 'items']);
  };
  for (const [name, object] of Object.entries(schema.types))
    visit(object, ['schema', 'types', name]);
  return problems;
}

function checkValues(
  ajv: ReturnType<typeof createAjv>,
  object: SchemaObject,
  path: YamlPath,
  source: YamlSource,
): BundleProblem[] {
  const { default: defaultValue, enum: enumValues, ...rest } = object;
  const where = describeSchemaPath(path);
  const problems: BundleProblem[] = [];
  const withoutEnum = ajv.compile(toJsonSchema(rest, TYPES_ID));
  for (const value of enumValues ?? []) {
    if (!withoutEnum(value)) {
      const reasons = (withoutEnum.errors ?? []).map((e) => formatAjvError(e, 'the value'));
      problems.push(
        source.problem(
          [...path, 'enum'],
          `enum value ${JSON.stringify(value)} of ${where} is invalid: ${reasons.join(', ')}`,
        ),
      );
    }
  }
  if (defaultValue !== undefined) {
    const full = ajv.compile(
      toJsonSchema(
        { ...rest, ...(enumValues === undefined ? {} : { enum: enumValues }) },
        TYPES_ID,
      ),
    );
    if (!full(defaultValue)) {
      const reasons = (full.errors ?? []).map((e) => formatAjvError(e, 'the default'));
      problems.push(
        source.problem(
          [...path, 'default'],
          `default ${JSON.stringify(defaultValue)} of ${where} does not satisfy its own schema: ${reasons.join(', ')}`,
        ),
      );
    }
  }
  return problems;
}
