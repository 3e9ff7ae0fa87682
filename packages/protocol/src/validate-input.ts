import { extensionShapes } from './extensions.js';
import { shapes as protonShapes } from './generated/model.js';

const shapes = { ...protonShapes, ...extensionShapes };
import type { ModelShape } from './model-types.js';

/** One violated constraint, phrased the way AWS services phrase it. */
export interface InputViolation {
  path: string;
  message: string;
}

const patternCache = new Map<string, RegExp>();
function compiledPattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

function shapeOf(name: string): ModelShape {
  const s = shapes[name];
  if (!s) throw new Error(`protocol model has no shape ${name}`);
  return s;
}

/**
 * Validates a decoded JSON request body against an operation's input shape and returns the
 * parsed input (unknown members dropped, epoch-second timestamps turned into Dates) plus every
 * violation found. Messages name the member path, as AWS's do, and never echo sensitive values.
 */
export function validateShape(
  shapeName: string,
  value: unknown,
): { value: unknown; violations: InputViolation[] } {
  const violations: InputViolation[] = [];
  const parsed = walk(shapeName, value, '', violations);
  return { value: parsed, violations };
}

function describe(shape: ModelShape, value: unknown): string {
  if (shape.sensitive) return 'at';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}…` : text}' at`;
}

function walk(shapeName: string, value: unknown, path: string, out: InputViolation[]): unknown {
  const shape = shapeOf(shapeName);
  const at = path === '' ? 'input' : path;
  const fail = (constraint: string): undefined => {
    out.push({
      path: at,
      message: `Value ${describe(shape, value)} '${at}' failed to satisfy constraint: ${constraint}`,
    });
    return undefined;
  };
  switch (shape.type) {
    case 'string':
      return checkString(shape, value, fail);
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value))
        return fail('Member must be an integer');
      if (shape.min !== undefined && value < shape.min)
        return fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        return fail(`Member must have value less than or equal to ${shape.max}`);
      return value;
    case 'double':
      return typeof value === 'number' ? value : fail('Member must be a number');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('Member must be a boolean');
    case 'timestamp':
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
      return fail('Member must be a timestamp in epoch seconds');
    case 'blob':
      return typeof value === 'string' ? value : fail('Member must be a base64 string');
    case 'list':
      return walkList(shape, value, path, out, fail);
    case 'structure':
    case 'union':
      return walkStructure(shape, value, path, out, fail);
  }
}

function checkString(shape: ModelShape, value: unknown, fail: (c: string) => undefined): unknown {
  if (typeof value !== 'string') return fail('Member must be a string');
  const length = [...value].length;
  if (shape.min !== undefined && length < shape.min)
    return fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max)
    return fail(`Member must have length less than or equal to ${shape.max}`);
  if (shape.enum && !shape.enum.includes(value))
    return fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  if (shape.pattern && !compiledPattern(shape.pattern).test(value))
    return fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  return value;
}

function walkList(
  shape: ModelShape,
  value: unknown,
  path: string,
  out: InputViolation[],
  fail: (c: string) => undefined,
): unknown {
  if (!Array.isArray(value)) return fail('Member must be a list');
  if (shape.min !== undefined && value.length < shape.min)
    return fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && value.length > shape.max)
    return fail(`Member must have length less than or equal to ${shape.max}`);
  return value.map((item, i) =>
    walk(shape.member ?? '', item, `${path}.${i + 1}.member`.replace(/^\./, ''), out),
  );
}

function walkStructure(
  shape: ModelShape,
  value: unknown,
  path: string,
  out: InputViolation[],
  fail: (c: string) => undefined,
): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('Member must be a structure');
  const input = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  const members = shape.members ?? {};
  for (const [name, member] of Object.entries(members)) {
    const memberPath = path === '' ? name : `${path}.${name}`;
    const v = input[name];
    if (v === undefined || v === null) {
      if (shape.required?.includes(name) && shape.type !== 'union') {
        out.push({
          path: memberPath,
          message: `Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`,
        });
      }
      continue;
    }
    result[name] = walk(member.shape, v, memberPath, out);
  }
  if (shape.type === 'union') {
    const set = Object.keys(result).length;
    if (set !== 1) {
      const at = path === '' ? 'input' : path;
      out.push({
        path: at,
        message: `Value at '${at}' failed to satisfy constraint: Member must have exactly one of [${Object.keys(members).join(', ')}] set`,
      });
    }
  }
  return result;
}

/** Formats violations into one ValidationException message, AWS style. */
export function formatViolations(violations: readonly InputViolation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`;
}
