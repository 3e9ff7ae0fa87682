/**
 * Copies the caller's render context into template data. The copy keeps renders independent
 * (a template may `append` to a list or `update` a dict, as Jinja allows, without touching the
 * caller's objects) and rejects values that have no Python counterpart (functions, dates, maps,
 * class instances) instead of letting them reach the template.
 */
import { RenderError } from './render-error.js';
import { Markup, PyFloat, isDict, setItem } from './py-values.js';
import { absentComponent, isAbsentComponent } from './render-contexts.js';

/** Raised deep in the copy; the path is assembled on the way out, so the happy path builds none. */
class BadValue extends Error {
  readonly path: Array<string | number> = [];
  constructor(readonly kind: string) {
    super(kind);
  }
}

function copy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      throw new BadValue(typeof value);
  }
  if (value === null || value instanceof PyFloat || value instanceof Markup) return value;
  if (Array.isArray(value)) return copyList(value);
  if (isDict(value)) return copyDict(value);
  throw new BadValue(value.constructor?.name ?? 'object');
}

function copyList(list: unknown[]): unknown[] {
  const out = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      out[i] = copy(list[i]);
    } catch (err) {
      if (err instanceof BadValue) err.path.unshift(i);
      throw err;
    }
  }
  return out;
}

function copyDict(v: Record<string, unknown>): Record<string, unknown> {
  if (isAbsentComponent(v)) return absentComponent();
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    try {
      setItem(out, k, copy(v[k]));
    } catch (err) {
      if (err instanceof BadValue) err.path.unshift(k);
      throw err;
    }
  }
  return out;
}

/**
 * Deep-copies a render context (own enumerable properties; an absent component made by
 * `absentComponent()` is recreated, hidden `outputs` included). Throws {@link RenderError}
 * naming the path of the first value that is not JSON-like data.
 */
export function toTemplateData(
  context: Record<string, unknown>,
  file: string,
): Record<string, unknown> {
  try {
    return copyDict(context);
  } catch (err) {
    if (!(err instanceof BadValue)) throw err;
    const path = err.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
      .join('');
    throw new RenderError(
      file,
      undefined,
      `render context value ${path} is a ${err.kind}; only JSON-like data can be rendered`,
    );
  }
}
