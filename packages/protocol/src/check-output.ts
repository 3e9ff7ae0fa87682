import { extensionShapes } from './extensions.js';
import { shapes as protonShapes } from './generated/model.js';

const shapes = { ...protonShapes, ...extensionShapes };

/**
 * Checks an operation's output object against the model strictly, where {@link serializeShape}
 * is lenient: a member the model does not declare, a required member missing, a value of the
 * wrong type or outside its enum is a violation (`path: what is wrong`). The server runs it on
 * every response in strict-wire mode (the tests), so an output that would silently lose a member
 * on the wire fails the test that produced it instead.
 */
export function checkOutputShape(shapeName: string, value: unknown, path = ''): string[] {
  const shape = shapes[shapeName];
  const at = path || shapeName;
  if (!shape) return [`${at}: the model has no shape ${shapeName}`];
  if (value === undefined || value === null) return [];
  const wrong = (what: string) => [`${at}: expected ${what}, got ${describe(value)}`];
  switch (shape.type) {
    case 'timestamp':
      return value instanceof Date
        ? Number.isNaN(value.getTime())
          ? [`${at}: invalid date`]
          : []
        : typeof value === 'number' && Number.isFinite(value)
          ? []
          : wrong('a timestamp (Date or epoch seconds)');
    case 'string':
      if (typeof value !== 'string') return wrong('a string');
      return shape.enum && !shape.enum.includes(value)
        ? [`${at}: "${value}" is not one of ${shape.enum.join(', ')}`]
        : [];
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : wrong('an integer');
    case 'double':
      return typeof value === 'number' ? [] : wrong('a number');
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean');
    case 'blob':
      return typeof value === 'string' || value instanceof Uint8Array ? [] : wrong('a blob');
    case 'list':
      if (!Array.isArray(value)) return wrong('a list');
      return value.flatMap((v, i) => checkOutputShape(shape.member ?? '', v, `${at}[${i}]`));
    case 'structure':
    case 'union': {
      if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date)
        return wrong('a structure');
      const input = value as Record<string, unknown>;
      const members = shape.members ?? {};
      const out: string[] = [];
      for (const [name, v] of Object.entries(input)) {
        if (v === undefined || v === null) continue;
        if (!(name in members)) out.push(`${at}.${name}: ${shapeName} declares no member ${name}`);
      }
      for (const [name, member] of Object.entries(members))
        out.push(...checkOutputShape(member.shape, input[name], `${at}.${name}`));
      if (shape.type === 'structure')
        for (const name of shape.required ?? [])
          if (input[name] === undefined || input[name] === null)
            out.push(`${at}.${name}: required by ${shapeName} but missing`);
      return out;
    }
    default:
      return [];
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
