/** Prints rows as an aligned text table for people (scripts use --output json). */
export function printTable(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[],
): void {
  const cell = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean' || v instanceof Date
        ? String(v)
        : v === undefined || v === null
          ? ''
          : JSON.stringify(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(columns.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
