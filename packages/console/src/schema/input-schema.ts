import { parse } from 'yaml';
import { describePattern } from './describe-pattern.js';

/** The kinds of input a form can offer; anything else is edited as YAML. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** One input of a template, as its schema declares it (OpenAPI 3 Schema Object subset). */
export interface InputField {
  name: string;
  type: FieldType;
  required: boolean;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** For arrays: the item type (scalars are edited one per line). */
  itemType?: FieldType;
}

export interface InputType {
  typeName: string;
  description?: string;
  fields: InputField[];
}

/** What a template version asks for: environment inputs, or per-instance and pipeline inputs. */
export interface TemplateInputs {
  environment?: InputType;
  service?: InputType;
  pipeline?: InputType;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function fieldType(v: unknown): FieldType {
  return v === 'number' || v === 'integer' || v === 'boolean' || v === 'array' || v === 'object'
    ? v
    : 'string';
}

function toField(name: string, raw: unknown, required: boolean): InputField {
  const p = isObj(raw) ? raw : {};
  const field: InputField = { name, type: fieldType(p.type), required };
  const assign = <K extends keyof InputField>(key: K, value: InputField[K] | undefined) => {
    if (value !== undefined) field[key] = value;
  };
  assign('title', str(p.title));
  assign('description', str(p.description));
  if ('default' in p) field.default = p.default;
  assign('enum', Array.isArray(p.enum) ? p.enum : undefined);
  assign('pattern', str(p.pattern));
  assign('minLength', num(p.minLength));
  assign('maxLength', num(p.maxLength));
  assign('minimum', num(p.minimum));
  assign('maximum', num(p.maximum));
  if (field.type === 'array' && isObj(p.items)) field.itemType = fieldType(p.items.type);
  return field;
}

function inputType(types: Obj, name: unknown): InputType | undefined {
  if (typeof name !== 'string') return undefined;
  const t = types[name];
  if (!isObj(t))
    throw new Error(`The schema names the input type "${name}", but types has no such entry.`);
  const required = new Set(
    Array.isArray(t.required) ? t.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const properties = isObj(t.properties) ? t.properties : {};
  const result: InputType = {
    typeName: name,
    fields: Object.entries(properties).map(([k, v]) => toField(k, v, required.has(k))),
  };
  const description = str(t.description);
  if (description) result.description = description;
  return result;
}

/**
 * Reads a template version's `schema` (the raw schema.yaml text the API returns) into the
 * inputs the console builds forms from. Throws with a readable message when it cannot.
 */
export function parseTemplateSchema(text: string | undefined): TemplateInputs {
  if (!text?.trim()) return {};
  const doc: unknown = parse(text);
  const schema = isObj(doc) && isObj(doc.schema) ? doc.schema : undefined;
  if (!schema) throw new Error('The schema has no top-level "schema:" key.');
  const types = isObj(schema.types) ? schema.types : {};
  const result: TemplateInputs = {};
  const environment = inputType(types, schema.environment_input_type);
  const service = inputType(types, schema.service_input_type);
  const pipeline = inputType(types, schema.pipeline_input_type);
  if (environment) result.environment = environment;
  if (service) result.service = service;
  if (pipeline) result.pipeline = pipeline;
  return result;
}

/** A field's label: its title, else its name. */
export function labelOf(field: InputField): string {
  return field.title ?? field.name;
}

/** The constraints of a field in words ("2–20 characters", "only lowercase letters"). */
export function constraintsOf(field: InputField): string[] {
  const out: string[] = [];
  if (field.enum) out.push(`one of ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (field.minLength !== undefined && field.maxLength !== undefined)
    out.push(`${field.minLength}–${field.maxLength} characters`);
  else if (field.minLength !== undefined) out.push(`at least ${field.minLength} characters`);
  else if (field.maxLength !== undefined) out.push(`at most ${field.maxLength} characters`);
  if (field.minimum !== undefined && field.maximum !== undefined)
    out.push(`between ${field.minimum} and ${field.maximum}`);
  else if (field.minimum !== undefined) out.push(`≥ ${field.minimum}`);
  else if (field.maximum !== undefined) out.push(`≤ ${field.maximum}`);
  if (field.pattern) out.push(describePattern(field.pattern));
  return out;
}
