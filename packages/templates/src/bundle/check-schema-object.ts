import type { BundleProblem } from './bundle-problem.js';
import type { SchemaType } from './template-schema-types.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

/** Longest input (parameter) name Proton accepts (`parameters.md`). */
export const MAX_INPUT_NAME_LENGTH = 100;

const SCHEMA_TYPES: readonly SchemaType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'array',
  'object',
];

type KeywordKind = 'string' | 'boolean' | 'count' | 'number' | 'boolOrNumber' | 'any' | 'special';

/** Every keyword accepted in a schema object, with the JSON type its value must have. */
const KEYWORDS: Readonly<Record<string, KeywordKind>> = {
  $ref: 'special',
  type: 'special',
  title: 'string',
  description: 'string',
  default: 'any',
  enum: 'special',
  pattern: 'string',
  minLength: 'count',
  maxLength: 'count',
  minimum: 'number',
  maximum: 'number',
  exclusiveMinimum: 'boolOrNumber',
  exclusiveMaximum: 'boolOrNumber',
  minItems: 'count',
  maxItems: 'count',
  uniqueItems: 'boolean',
  items: 'special',
  required: 'special',
  properties: 'special',
  nullable: 'boolean',
  example: 'any',
  examples: 'any',
  format: 'string',
  deprecated: 'boolean',
  readOnly: 'boolean',
  writeOnly: 'boolean',
};

/** The only types each type-specific keyword applies to. */
const APPLIES_TO: Readonly<Record<string, readonly SchemaType[]>> = {
  pattern: ['string'],
  minLength: ['string'],
  maxLength: ['string'],
  minimum: ['number', 'integer'],
  maximum: ['number', 'integer'],
  exclusiveMinimum: ['number', 'integer'],
  exclusiveMaximum: ['number', 'integer'],
  minItems: ['array'],
  maxItems: ['array'],
  uniqueItems: ['array'],
  items: ['array'],
  properties: ['object'],
  required: ['object'],
};

/** Context shared by the recursive checks of one schema file. */
export interface SchemaCheckContext {
  readonly source: YamlSource;
  readonly typeNames: ReadonlySet<string>;
  readonly problems: BundleProblem[];
}

/** Dotted location of a schema path for messages: `types.ServiceInput.properties.port`. */
export function describeSchemaPath(path: YamlPath): string {
  return path
    .slice(1)
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : segment))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** True for a YAML mapping parsed to a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks one OpenAPI 3.0 schema object and, recursively, its `properties` and `items`: known
 * keywords only, value types, keywords that fit the declared `type`, consistent ranges,
 * compilable patterns, resolvable `$ref`s and input-name lengths.
 */
export function checkSchemaObject(value: unknown, path: YamlPath, ctx: SchemaCheckContext): void {
  const report = (at: YamlPath, message: string): void => {
    ctx.problems.push(ctx.source.problem(at, message));
  };
  const where = describeSchemaPath(path);
  if (!isPlainObject(value)) {
    report(path, `${where} must be a mapping (an OpenAPI schema object)`);
    return;
  }
  for (const [keyword, keywordValue] of Object.entries(value)) {
    checkKeyword(keyword, keywordValue, [...path, keyword], where, report);
  }
  if ('$ref' in value) {
    checkRef(value, path, where, ctx, report);
    return;
  }
  const type = value.type;
  if (type === undefined) {
    report(path, `${where} is missing "type" (one of ${SCHEMA_TYPES.join(', ')})`);
  } else if (!SCHEMA_TYPES.includes(type as SchemaType)) {
    report(
      [...path, 'type'],
      `${where} has type ${JSON.stringify(type)}; use one of ${SCHEMA_TYPES.join(', ')}`,
    );
  } else {
    checkApplicability(value, type as SchemaType, path, where, report);
  }
  checkRanges(value, path, where, report);
  checkEnum(value, path, where, report);
  checkChildren(value, path, where, ctx, report);
}

type Report = (at: YamlPath, message: string) => void;

function checkKeyword(
  keyword: string,
  value: unknown,
  at: YamlPath,
  where: string,
  report: Report,
): void {
  if (keyword.startsWith('x-')) return;
  const kind = KEYWORDS[keyword];
  if (kind === undefined || !Object.hasOwn(KEYWORDS, keyword)) {
    report(
      at,
      `unknown schema keyword "${keyword}" in ${where}; allowed: ${Object.keys(KEYWORDS).join(', ')}`,
    );
    return;
  }
  const ok =
    kind === 'string'
      ? typeof value === 'string'
      : kind === 'boolean'
        ? typeof value === 'boolean'
        : kind === 'count'
          ? Number.isInteger(value) && (value as number) >= 0
          : kind === 'number'
            ? typeof value === 'number' && Number.isFinite(value)
            : kind === 'boolOrNumber'
              ? typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
              : true;
  if (!ok) report(at, `"${keyword}" in ${where} must be ${KIND_NAMES[kind]}`);
  if (keyword === 'pattern' && typeof value === 'string') checkPattern(value, at, where, report);
}

const KIND_NAMES: Readonly<Record<KeywordKind, string>> = {
  string: 'a string',
  boolean: 'true or false',
  count: 'a non-negative integer',
  number: 'a number',
  boolOrNumber: 'true, false or a number',
  any: 'any value',
  special: 'valid',
};

function checkPattern(pattern: string, at: YamlPath, where: string, report: Report): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    report(
      at,
      `pattern ${JSON.stringify(pattern)} in ${where} is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

function checkRef(
  value: Record<string, unknown>,
  path: YamlPath,
  where: string,
  ctx: SchemaCheckContext,
  report: Report,
): void {
  const ref = value.$ref;
  const extra = Object.keys(value).filter(
    (k) => !['$ref', 'title', 'description'].includes(k) && !k.startsWith('x-'),
  );
  if (extra.length > 0) {
    report(
      path,
      `${where} combines $ref with ${extra.map((k) => `"${k}"`).join(', ')}; keywords next to $ref are ignored, so move them into the referenced type`,
    );
  }
  if (typeof ref !== 'string' || !ref.startsWith('#/types/')) {
    report([...path, '$ref'], `$ref in ${where} must look like "#/types/<TypeName>"`);
    return;
  }
  const name = ref.slice('#/types/'.length);
  if (!ctx.typeNames.has(name)) {
    report(
      [...path, '$ref'],
      `$ref "${ref}" in ${where} does not resolve; define type "${name}" under types`,
    );
  }
}

function checkApplicability(
  value: Record<string, unknown>,
  type: SchemaType,
  path: YamlPath,
  where: string,
  report: Report,
): void {
  for (const [keyword, types] of Object.entries(APPLIES_TO)) {
    if (keyword in value && !types.includes(type)) {
      report(
        [...path, keyword],
        `"${keyword}" in ${where} applies only to type ${types.join(' or ')}, but the type is ${type}`,
      );
    }
  }
  if (value.exclusiveMinimum === true && value.minimum === undefined) {
    report([...path, 'exclusiveMinimum'], `exclusiveMinimum: true in ${where} needs "minimum"`);
  }
  if (value.exclusiveMaximum === true && value.maximum === undefined) {
    report([...path, 'exclusiveMaximum'], `exclusiveMaximum: true in ${where} needs "maximum"`);
  }
  if (type === 'array' && value.items === undefined) {
    report(path, `${where} is an array but has no "items" schema`);
  }
  if (type === 'object' && value.properties === undefined) {
    report(path, `${where} is an object but has no "properties"`);
  }
}

function checkRanges(
  value: Record<string, unknown>,
  path: YamlPath,
  where: string,
  report: Report,
): void {
  const pairs: readonly (readonly [string, string])[] = [
    ['minLength', 'maxLength'],
    ['minimum', 'maximum'],
    ['minItems', 'maxItems'],
  ];
  for (const [low, high] of pairs) {
    const a = value[low];
    const b = value[high];
    if (typeof a === 'number' && typeof b === 'number' && a > b) {
      report([...path, low], `${low} (${a}) is greater than ${high} (${b}) in ${where}`);
    }
  }
}

function checkEnum(
  value: Record<string, unknown>,
  path: YamlPath,
  where: string,
  report: Report,
): void {
  if (!('enum' in value)) return;
  const values = value.enum;
  if (!Array.isArray(values) || values.length === 0) {
    report([...path, 'enum'], `"enum" in ${where} must be a non-empty list of allowed values`);
    return;
  }
  const seen = new Set(values.map((v) => JSON.stringify(v)));
  if (seen.size !== values.length)
    report([...path, 'enum'], `"enum" in ${where} lists a value more than once`);
}

function checkChildren(
  value: Record<string, unknown>,
  path: YamlPath,
  where: string,
  ctx: SchemaCheckContext,
  report: Report,
): void {
  const { properties, items, required } = value;
  if (properties !== undefined) {
    if (!isPlainObject(properties)) {
      report(
        [...path, 'properties'],
        `"properties" in ${where} must be a mapping of input names to schemas`,
      );
    } else {
      for (const [name, child] of Object.entries(properties)) {
        if (name === '__proto__') {
          report(
            [...path, 'properties', name],
            `input name "__proto__" in ${where} is not allowed`,
          );
        }
        if (name.length > MAX_INPUT_NAME_LENGTH) {
          report(
            [...path, 'properties', name],
            `input name "${name.slice(0, 20)}…" in ${where} is longer than ${MAX_INPUT_NAME_LENGTH} characters`,
          );
        }
        checkSchemaObject(child, [...path, 'properties', name], ctx);
      }
    }
  }
  if (items !== undefined) {
    if (Array.isArray(items)) {
      report(
        [...path, 'items'],
        `"items" in ${where} must be a single schema (OpenAPI 3.0 has no tuple form)`,
      );
    } else {
      checkSchemaObject(items, [...path, 'items'], ctx);
    }
  }
  if (required !== undefined)
    checkRequired(required, properties, [...path, 'required'], where, report);
}

function checkRequired(
  required: unknown,
  properties: unknown,
  at: YamlPath,
  where: string,
  report: Report,
): void {
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
    report(at, `"required" in ${where} must be a list of input names`);
    return;
  }
  if (new Set(required).size !== required.length)
    report(at, `"required" in ${where} lists an input more than once`);
  if (!isPlainObject(properties)) return;
  for (const name of required) {
    if (!Object.hasOwn(properties, name)) {
      report(at, `required input "${name}" in ${where} is not defined under properties`);
    }
  }
}
