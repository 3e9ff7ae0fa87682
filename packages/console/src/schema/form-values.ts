import { parse, stringify } from 'yaml';
import { labelOf, type InputField } from './input-schema.js';

/** What a form control holds: text for most inputs, a flag for checkboxes. */
export type RawValue = string | boolean;
export type RawValues = Record<string, RawValue>;

const isScalarType = (t: InputField['itemType']) =>
  t === 'string' || t === 'number' || t === 'integer' || t === 'boolean';

/** Arrays of scalars are edited one item per line; objects and nested arrays as YAML. */
export function editsAsLines(field: InputField): boolean {
  return field.type === 'array' && isScalarType(field.itemType ?? 'string');
}

export function editsAsYaml(field: InputField): boolean {
  return field.type === 'object' || (field.type === 'array' && !editsAsLines(field));
}

/** The control's content for a value (the current input, else the schema's default). */
export function rawOf(field: InputField, value: unknown): RawValue {
  if (field.type === 'boolean') return value === true || value === 'true';
  if (value === undefined || value === null) return '';
  if (editsAsLines(field))
    return Array.isArray(value) ? value.map(String).join('\n') : scalarText(value);
  if (editsAsYaml(field)) return stringify(value).trimEnd();
  return scalarText(value);
}

/** A value's text for a one-line control (a mapping or list as JSON, not "[object Object]"). */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Form contents for a set of fields, from current values where given, else from defaults. */
export function initialRaw(fields: InputField[], current: Record<string, unknown> = {}): RawValues {
  return Object.fromEntries(
    fields.map((f) => [f.name, rawOf(f, f.name in current ? current[f.name] : f.default)]),
  );
}

function scalar(type: InputField['type'], text: string): { value?: unknown; error?: string } {
  if (type === 'number' || type === 'integer') {
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n)) return { error: 'Enter a number.' };
    if (type === 'integer' && !Number.isInteger(n)) return { error: 'Enter a whole number.' };
    return { value: n };
  }
  if (type === 'boolean') {
    if (text !== 'true' && text !== 'false') return { error: 'Enter true or false.' };
    return { value: text === 'true' };
  }
  return { value: text };
}

function checkConstraints(field: InputField, value: unknown): string | undefined {
  if (field.enum && !field.enum.some((e) => e === value))
    return `Choose one of ${field.enum.map(String).join(', ')}.`;
  if (typeof value === 'string') {
    if (field.minLength !== undefined && value.length < field.minLength)
      return `Use at least ${field.minLength} characters.`;
    if (field.maxLength !== undefined && value.length > field.maxLength)
      return `Use at most ${field.maxLength} characters.`;
    if (field.pattern) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(field.pattern, 'u');
      } catch {
        re = undefined; // A pattern JavaScript cannot read is left to the server to check.
      }
      if (re && !re.test(value)) return `Must match the pattern ${field.pattern}.`;
    }
  }
  if (typeof value === 'number') {
    if (field.minimum !== undefined && value < field.minimum)
      return `Must be at least ${field.minimum}.`;
    if (field.maximum !== undefined && value > field.maximum)
      return `Must be at most ${field.maximum}.`;
  }
  return undefined;
}

/**
 * The typed value of one control, or why it is not valid. An empty control means "not set":
 * the server then applies the schema's default, so only a required input without one is missing.
 */
export function typedOf(
  field: InputField,
  raw: RawValue | undefined,
): { value?: unknown; error?: string } {
  if (field.type === 'boolean') return { value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '')
    return field.required && field.default === undefined
      ? { error: `${labelOf(field)} is required.` }
      : {};
  if (editsAsLines(field)) {
    const items = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const typed = items.map((item) => scalar(field.itemType ?? 'string', item));
    const bad = typed.findIndex((t) => t.error);
    if (bad >= 0) return { error: `Line ${bad + 1}: ${typed[bad]!.error!}` };
    return { value: typed.map((t) => t.value) };
  }
  if (editsAsYaml(field)) {
    let value: unknown;
    try {
      value = parse(text);
    } catch (error) {
      return { error: `Not valid YAML: ${(error as Error).message.split('\n')[0]}` };
    }
    const isArray = Array.isArray(value);
    if (
      field.type === 'array' ? !isArray : isArray || typeof value !== 'object' || value === null
    ) {
      return {
        error:
          field.type === 'array'
            ? 'Enter a YAML list.'
            : 'Enter a YAML mapping (key: value lines).',
      };
    }
    return { value };
  }
  const result = scalar(field.type, field.type === 'string' ? text : text.trim());
  if (result.error) return result;
  const problem = checkConstraints(field, result.value);
  return problem ? { error: problem } : result;
}

export interface TypedValues {
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

/** All values of a form, typed, with an error per invalid control. */
export function typedValues(fields: InputField[], raw: RawValues): TypedValues {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const t = typedOf(f, raw[f.name]);
    if (t.error) errors[f.name] = t.error;
    else if (t.value !== undefined) values[f.name] = t.value;
  }
  return { values, errors };
}

/** Form contents from a spec section someone typed as YAML (unknown keys are ignored). */
export function rawFromSpec(fields: InputField[], spec: unknown): RawValues {
  const current =
    typeof spec === 'object' && spec !== null && !Array.isArray(spec)
      ? (spec as Record<string, unknown>)
      : {};
  return Object.fromEntries(
    fields.map((f) => [
      f.name,
      f.name in current
        ? rawOf(f, current[f.name])
        : f.type === 'boolean'
          ? f.default === true
          : '',
    ]),
  );
}
