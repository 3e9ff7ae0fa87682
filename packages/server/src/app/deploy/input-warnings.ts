/**
 * Warnings about a resource's spec — inputs the template's schema does not declare, which Proton
 * accepted and Nucleon accepts too, ignored by rendering (ADR 0016). They are kept in the
 * resource's settings under this key, so the deployment that renders them can log them and end
 * with them in its status message.
 */
export const INPUT_WARNINGS_KEY = 'inputWarnings';

/** The warnings stored in a resource's settings (none when absent). */
export function inputWarningsOf(settings: Record<string, unknown>): string[] {
  const value = settings[INPUT_WARNINGS_KEY];
  return Array.isArray(value) ? value.filter((w): w is string => typeof w === 'string') : [];
}

/** `settings` with `warnings` stored (or the key removed when there are none). */
export function withInputWarnings(
  settings: Record<string, unknown>,
  warnings: readonly string[],
): Record<string, unknown> {
  const { [INPUT_WARNINGS_KEY]: _previous, ...rest } = settings;
  return warnings.length > 0 ? { ...rest, [INPUT_WARNINGS_KEY]: [...warnings] } : rest;
}

/** The status-message form: `Warning: spec: undeclared input "x" is ignored (...)`, or null. */
export function describeInputWarnings(warnings: readonly string[]): string | null {
  if (warnings.length === 0) return null;
  return `${warnings.length === 1 ? 'Warning' : 'Warnings'}: ${warnings.join('; ')}`;
}
