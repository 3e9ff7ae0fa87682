import { extensionShapes } from './extensions.js';
import { shapes as protonShapes } from './generated/model.js';

const shapes = { ...protonShapes, ...extensionShapes };

/**
 * Turns an operation's output object into the awsJson1_0 wire form: Dates become epoch seconds
 * (with a fractional part), undefined and null members are dropped, members the model does not
 * declare are dropped so nothing internal leaks onto the wire.
 */
export function serializeShape(shapeName: string, value: unknown): unknown {
  const shape = shapes[shapeName];
  if (!shape || value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'timestamp':
      return value instanceof Date ? value.getTime() / 1000 : value;
    case 'list':
      return Array.isArray(value)
        ? value.map((v) => serializeShape(shape.member ?? '', v))
        : undefined;
    case 'structure':
    case 'union': {
      const out: Record<string, unknown> = {};
      const input = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const v = serializeShape(member.shape, input[name]);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    default:
      return value;
  }
}

/** The reverse, used by clients: epoch-second numbers become Dates per the model. */
export function deserializeShape(shapeName: string, value: unknown): unknown {
  const shape = shapes[shapeName];
  if (!shape || value === undefined || value === null) return value;
  switch (shape.type) {
    case 'timestamp':
      return typeof value === 'number' ? new Date(value * 1000) : value;
    case 'list':
      return Array.isArray(value)
        ? value.map((v) => deserializeShape(shape.member ?? '', v))
        : value;
    case 'structure':
    case 'union': {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        if (out[name] !== undefined) out[name] = deserializeShape(member.shape, out[name]);
      }
      return out;
    }
    default:
      return value;
  }
}
