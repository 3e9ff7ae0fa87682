/** What a spec writes for "keep this input's current value" (Proton's `UpdateService…`). */
export const CURRENT_VAL = '${Proton::CURRENT_VAL}';

type Obj = Record<string, unknown>;

/** Whether any input is the `${Proton::CURRENT_VAL}` placeholder. */
export function hasCurrentValues(inputs: Obj): boolean {
  return Object.values(inputs).some((v) => v === CURRENT_VAL);
}

/**
 * The values in use: each `${Proton::CURRENT_VAL}` input takes the value the newest earlier spec
 * (`earlier`, newest first) gave it, as the server resolved it when it deployed. An input no
 * earlier spec sets stays undefined: the template's default is in use.
 */
export function resolveCurrentValues(inputs: Obj, earlier: readonly Obj[]): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value !== CURRENT_VAL) {
      out[key] = value;
      continue;
    }
    const found = earlier.find((spec) => key in spec && spec[key] !== CURRENT_VAL);
    if (found) out[key] = found[key];
  }
  return out;
}
