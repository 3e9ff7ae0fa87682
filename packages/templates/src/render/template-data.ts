/**
 * Copies the caller's render context into template data. The copy keeps renders independent
 * (a template may `append` to a list or `update` a dict, as Jinja allows, without touching the
 * caller's objects) and rejects values that have no Python counterpart (functions, dates, maps,
 * class instances) instead of letting them print as `[object Object]`.
 */
import { RenderError } from './render-error.js';
import { Markup, PyFloat, isDict } from './py-values.js';

function copyDict(v: Record<string, unknown>, path: string, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (const k of keys) out[k] = toTemplateData(v[k], `${path}.${k}`, file);
  const names = Object.getOwnPropertyNames(v);
  if (names.length !== keys.length) {
    for (const k of names) {
      if (Object.prototype.propertyIsEnumerable.call(v, k)) continue;
      Object.defineProperty(out, k, {
        value: toTemplateData(v[k], `${path}.${k}`, file),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

/**
 * Deep-copies `value` for rendering. Non-enumerable properties survive the copy: the render
 * contexts use one to give an absent component an `outputs` attribute while it prints as `{}`.
 */
export function toTemplateData(value: unknown, path: string, file: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      throw new RenderError(file, undefined, `render context value ${path} is a ${typeof value}; only JSON-like data can be rendered`);
  }
  if (value === null || value instanceof PyFloat || value instanceof Markup) return value;
  if (Array.isArray(value)) return value.map((item, i) => toTemplateData(item, `${path}[${i}]`, file));
  if (isDict(value)) return copyDict(value, path, file);
  const kind = (value as object).constructor?.name ?? 'object';
  throw new RenderError(file, undefined, `render context value ${path} is a ${kind}; only JSON-like data can be rendered`);
}
