import { typedOf, type RawValues } from './form-values.js';
import type { InputField } from './input-schema.js';

/**
 * The values to show in the YAML view: typed where valid, and the text as typed where not (so
 * the YAML mirrors the form even mid-edit). Unset inputs are left out; the server applies defaults.
 */
export function specValues(fields: InputField[], raw: RawValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const t = typedOf(f, raw[f.name]);
    if (t.value !== undefined) out[f.name] = t.value;
    else if (t.error && typeof raw[f.name] === 'string' && raw[f.name] !== '')
      out[f.name] = raw[f.name];
  }
  return out;
}

const RESOURCE_NAME = /^[0-9A-Za-z]+[0-9A-Za-z_\-]*$/;

/** Why a resource name (environment, service, instance) is not acceptable, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (!name) return 'A name is required.';
  if (name.length > 100) return 'Use at most 100 characters.';
  return RESOURCE_NAME.test(name)
    ? undefined
    : 'Use letters, digits, - and _, starting with a letter or digit.';
}
