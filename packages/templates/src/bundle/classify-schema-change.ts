import {
  inputTypeName,
  lookupType,
  resolveSchemaRef,
  type InputTypeKind,
  type ParsedTemplateSchema,
  type SchemaObject,
} from './template-schema-types.js';

/** One difference between two template schemas, seen from the resources that use them. */
export interface SchemaChange {
  /** Input name (`port`, nested `db.host`, array items `subnets[]`) or `<kind>_input_type`. */
  readonly input: string;
  /** Which input type the input belongs to. */
  readonly inputType: InputTypeKind;
  readonly kind: 'added' | 'removed' | 'changed';
  /** True when resources valid under the previous schema may be invalid under the next. */
  readonly breaking: boolean;
  readonly message: string;
}

/** All differences, and whether the next schema is backward compatible with the previous one. */
export interface SchemaChangeReport {
  readonly compatible: boolean;
  readonly changes: readonly SchemaChange[];
}

const KINDS: readonly InputTypeKind[] = ['environment', 'service', 'pipeline'];

interface Side {
  readonly schema: ParsedTemplateSchema;
  readonly object: SchemaObject;
}

interface Walk {
  readonly inputType: InputTypeKind;
  readonly previous: ParsedTemplateSchema;
  readonly next: ParsedTemplateSchema;
  readonly changes: SchemaChange[];
}

/**
 * Compares two template schemas input by input. Breaking: a removed input or input type, a
 * changed type (integer → number is a widening), an input newly required without a default, a
 * narrowed enum, an added or changed pattern, tightened length/range/item bounds, dropped
 * `nullable`, new `uniqueItems`, a required input losing its default. Adding optional inputs,
 * adding or changing defaults, widening, and documentation changes are compatible (only the
 * ones that matter to resources are listed). Pure.
 */
export function classifySchemaChange(
  previous: ParsedTemplateSchema,
  next: ParsedTemplateSchema,
): SchemaChangeReport {
  const changes: SchemaChange[] = [];
  for (const inputType of KINDS) {
    compareInputType({ inputType, previous, next, changes });
  }
  return { compatible: changes.every((c) => !c.breaking), changes };
}

/**
 * The minor-version rule (spec §6): messages for every breaking change from `previous` to
 * `next`, e.g. `input "port" of the service input type was removed`; `[]` when compatible.
 */
export function checkMinorCompatibility(
  previous: ParsedTemplateSchema,
  next: ParsedTemplateSchema,
): string[] {
  return classifySchemaChange(previous, next)
    .changes.filter((change) => change.breaking)
    .map((change) => change.message);
}

function compareInputType(walk: Walk): void {
  const { inputType, previous, next } = walk;
  const previousName = inputTypeName(previous, inputType);
  const nextName = inputTypeName(next, inputType);
  const before = resolveSchemaRef(previous, lookupType(previous.types, previousName) ?? {});
  const after = resolveSchemaRef(next, lookupType(next.types, nextName) ?? {});
  const key = `${inputType}_input_type`;
  const hasBefore = previousName !== undefined && before !== undefined;
  const hasAfter = nextName !== undefined && after !== undefined;
  if (hasBefore && !hasAfter) {
    add(walk, key, 'removed', true, `the ${inputType} input type "${previousName}" was removed`);
  } else if (!hasBefore && hasAfter) {
    const mandatory = Object.entries(after.properties ?? {})
      .filter(
        ([name, child]) =>
          after.required?.includes(name) === true &&
          resolveSchemaRef(next, child)?.default === undefined,
      )
      .map(([name]) => `"${name}"`);
    const detail =
      mandatory.length === 0
        ? ''
        : ` with required inputs without defaults: ${mandatory.join(', ')}`;
    add(
      walk,
      key,
      'added',
      mandatory.length > 0,
      `the ${inputType} input type "${nextName}" was added${detail}`,
    );
  } else if (hasBefore && hasAfter) {
    if (previousName !== nextName) {
      add(
        walk,
        key,
        'changed',
        false,
        `the ${inputType} input type was renamed from "${previousName}" to "${nextName}"`,
      );
    }
    compareObject(walk, { schema: previous, object: before }, { schema: next, object: after }, '');
  }
}

function add(
  walk: Walk,
  input: string,
  kind: SchemaChange['kind'],
  breaking: boolean,
  message: string,
): void {
  walk.changes.push({ input, inputType: walk.inputType, kind, breaking, message });
}

function label(walk: Walk, input: string): string {
  return walk.inputType === 'pipeline' ? `pipeline input "${input}"` : `input "${input}"`;
}

function compareObject(walk: Walk, before: Side, after: Side, prefix: string): void {
  const beforeProps = before.object.properties ?? {};
  const afterProps = after.object.properties ?? {};
  const beforeRequired = new Set(before.object.required ?? []);
  const afterRequired = new Set(after.object.required ?? []);
  for (const name of Object.keys(beforeProps)) {
    if (!Object.hasOwn(afterProps, name)) {
      add(
        walk,
        prefix + name,
        'removed',
        true,
        `input "${prefix + name}" of the ${walk.inputType} input type was removed`,
      );
    }
  }
  for (const [name, child] of Object.entries(afterProps)) {
    const input = prefix + name;
    const resolvedAfter = resolveSchemaRef(after.schema, child) ?? {};
    const previousChild = Object.hasOwn(beforeProps, name) ? beforeProps[name] : undefined;
    if (previousChild === undefined) {
      const mandatory = afterRequired.has(name) && resolvedAfter.default === undefined;
      const message = mandatory
        ? `${label(walk, input)} is newly required without a default`
        : `${label(walk, input)} was added`;
      add(walk, input, 'added', mandatory, message);
      continue;
    }
    const resolvedBefore = resolveSchemaRef(before.schema, previousChild) ?? {};
    compareProperty(
      walk,
      input,
      { schema: before.schema, object: resolvedBefore },
      { schema: after.schema, object: resolvedAfter },
      { was: beforeRequired.has(name), is: afterRequired.has(name) },
    );
  }
}

function compareProperty(
  walk: Walk,
  input: string,
  before: Side,
  after: Side,
  required: { readonly was: boolean; readonly is: boolean },
): void {
  const p = before.object;
  const n = after.object;
  const what = label(walk, input);
  if (p.type !== n.type) {
    const widening = p.type === 'integer' && n.type === 'number';
    add(
      walk,
      input,
      'changed',
      !widening,
      `${what} changed type from ${p.type ?? 'unspecified'} to ${n.type ?? 'unspecified'}`,
    );
    return;
  }
  compareRequiredAndDefault(walk, input, p, n, required);
  compareEnum(walk, input, p, n);
  comparePattern(walk, input, p, n);
  compareBounds(walk, input, p, n);
  if (p.nullable === true && n.nullable !== true)
    add(walk, input, 'changed', true, `${what} no longer accepts null`);
  if (p.uniqueItems !== true && n.uniqueItems === true)
    add(walk, input, 'changed', true, `${what} now requires unique items`);
  if (p.type === 'array' && p.items !== undefined && n.items !== undefined) {
    const itemsBefore = resolveSchemaRef(before.schema, p.items) ?? {};
    const itemsAfter = resolveSchemaRef(after.schema, n.items) ?? {};
    compareProperty(
      walk,
      `${input}[]`,
      { schema: before.schema, object: itemsBefore },
      { schema: after.schema, object: itemsAfter },
      { was: false, is: false },
    );
  }
  if (p.type === 'object') compareObject(walk, before, after, `${input}.`);
}

function compareRequiredAndDefault(
  walk: Walk,
  input: string,
  p: SchemaObject,
  n: SchemaObject,
  required: { readonly was: boolean; readonly is: boolean },
): void {
  const what = label(walk, input);
  if (!required.was && required.is) {
    if (n.default === undefined)
      add(walk, input, 'changed', true, `${what} is newly required without a default`);
    else add(walk, input, 'changed', false, `${what} is now required (its default fills in)`);
    return;
  }
  if (p.default !== undefined && n.default === undefined) {
    const message = required.is
      ? `${what} is required and no longer has a default`
      : `${what} no longer has a default`;
    add(walk, input, 'changed', required.is, message);
  } else if (n.default !== undefined && JSON.stringify(p.default) !== JSON.stringify(n.default)) {
    const from = p.default === undefined ? '' : ` from ${JSON.stringify(p.default)}`;
    add(
      walk,
      input,
      'changed',
      false,
      `${what} default changed${from} to ${JSON.stringify(n.default)}`,
    );
  }
}

function compareEnum(walk: Walk, input: string, p: SchemaObject, n: SchemaObject): void {
  const what = label(walk, input);
  const list = (values: readonly unknown[]): string =>
    values.map((v) => JSON.stringify(v)).join(', ');
  if (n.enum === undefined) {
    if (p.enum !== undefined)
      add(walk, input, 'changed', false, `${what} is no longer restricted to a list of values`);
    return;
  }
  if (p.enum === undefined) {
    add(walk, input, 'changed', true, `${what} is now restricted to ${list(n.enum)}`);
    return;
  }
  const key = (v: unknown): string => JSON.stringify(v);
  const nextKeys = new Set(n.enum.map(key));
  const previousKeys = new Set(p.enum.map(key));
  const removed = p.enum.filter((v) => !nextKeys.has(key(v)));
  const added = n.enum.filter((v) => !previousKeys.has(key(v)));
  if (removed.length > 0)
    add(walk, input, 'changed', true, `${what} no longer allows ${list(removed)}`);
  if (added.length > 0)
    add(walk, input, 'changed', false, `${what} now also allows ${list(added)}`);
}

function comparePattern(walk: Walk, input: string, p: SchemaObject, n: SchemaObject): void {
  const what = label(walk, input);
  if (n.pattern === undefined) {
    if (p.pattern !== undefined)
      add(walk, input, 'changed', false, `${what} no longer has a pattern`);
  } else if (p.pattern === undefined) {
    add(walk, input, 'changed', true, `${what} added pattern ${JSON.stringify(n.pattern)}`);
  } else if (p.pattern !== n.pattern) {
    add(
      walk,
      input,
      'changed',
      true,
      `${what} changed pattern from ${JSON.stringify(p.pattern)} to ${JSON.stringify(n.pattern)}`,
    );
  }
}

interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

function compareBounds(walk: Walk, input: string, p: SchemaObject, n: SchemaObject): void {
  const pairs: readonly (readonly [
    string,
    Bound | undefined,
    Bound | undefined,
    'lower' | 'upper',
  ])[] = [
    ['minLength', simple(p.minLength), simple(n.minLength), 'lower'],
    ['maxLength', simple(p.maxLength), simple(n.maxLength), 'upper'],
    ['minItems', simple(p.minItems), simple(n.minItems), 'lower'],
    ['maxItems', simple(p.maxItems), simple(n.maxItems), 'upper'],
    [
      'minimum',
      numeric(p.minimum, p.exclusiveMinimum),
      numeric(n.minimum, n.exclusiveMinimum),
      'lower',
    ],
    [
      'maximum',
      numeric(p.maximum, p.exclusiveMaximum),
      numeric(n.maximum, n.exclusiveMaximum),
      'upper',
    ],
  ];
  for (const [name, before, after, side] of pairs) {
    if (after === undefined || (before !== undefined && sameBound(before, after))) {
      if (before !== undefined && after === undefined)
        add(walk, input, 'changed', false, `${label(walk, input)} no longer has a ${name}`);
      continue;
    }
    const tighter = before === undefined || isTighter(before, after, side);
    const message =
      before === undefined
        ? `${label(walk, input)} added ${name} ${describeBound(after)}`
        : `${label(walk, input)} ${tighter ? 'tightened' : 'relaxed'} ${name} from ${describeBound(before)} to ${describeBound(after)}`;
    add(walk, input, 'changed', tighter, message);
  }
}

function simple(value: number | undefined): Bound | undefined {
  return value === undefined ? undefined : { value, exclusive: false };
}

function numeric(
  bound: number | undefined,
  exclusive: boolean | number | undefined,
): Bound | undefined {
  if (typeof exclusive === 'number') return { value: exclusive, exclusive: true };
  return bound === undefined ? undefined : { value: bound, exclusive: exclusive === true };
}

function sameBound(a: Bound, b: Bound): boolean {
  return a.value === b.value && a.exclusive === b.exclusive;
}

function isTighter(before: Bound, after: Bound, side: 'lower' | 'upper'): boolean {
  if (after.value === before.value) return after.exclusive && !before.exclusive;
  return side === 'lower' ? after.value > before.value : after.value < before.value;
}

function describeBound(bound: Bound): string {
  return bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value);
}
