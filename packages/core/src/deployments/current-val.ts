/** The placeholder Proton specs use to keep an input's current value. */
export const CURRENT_VAL = '${Proton::CURRENT_VAL}';

/**
 * Replaces every `${Proton::CURRENT_VAL}` input in `next` with that input's value in `current`.
 * Returns the names that had no current value (an error for the caller to report).
 */
export function substituteCurrentValues(
  next: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): { values: Record<string, unknown>; missing: string[] } {
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [key, value] of Object.entries(next)) {
    if (value === CURRENT_VAL) {
      if (key in current) values[key] = current[key];
      else missing.push(key);
    } else {
      values[key] = value;
    }
  }
  return { values, missing };
}
