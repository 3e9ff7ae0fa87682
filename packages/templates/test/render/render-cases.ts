/**
 * The render corpus shared by the differential test and the render bench: every
 * `fixtures/*.j2` template with its sibling `*.json` ({ description, context, ... }), plus the
 * small construct cases listed in `fixtures/cases.json`. Contexts are JSON, with two markers both
 * engines understand: `{"$float": 1}` (a Python float such as 1.0) and
 * `{"$absentComponent": true}` (Proton's `components.default` when none is attached).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PyFloat, absentComponent } from '../../src/render/index.js';

/** One template and context to render with both engines. */
export interface RenderCase {
  name: string;
  template: string;
  /** The context as JSON, markers included (what the Python reference receives). */
  context: Record<string, unknown>;
  description?: string;
  /** Both engines must fail; ours must fail with a message containing this text. */
  expectError?: string;
  /** Why Nucleon deliberately differs from Jinja here; only our behaviour is asserted. */
  deliberateDifference?: string;
}

/** Directory holding the fixtures. */
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** The Python reference renderer. */
export const JINJA_REFERENCE = fileURLToPath(new URL('./jinja-reference.py', import.meta.url));

type JsonObject = Record<string, unknown>;

/** Loads every case: template fixtures first, then the construct cases. */
export function loadRenderCases(): RenderCase[] {
  const cases: RenderCase[] = [];
  for (const file of readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.j2'))
    .sort()) {
    const base = file.slice(0, -3);
    const meta = JSON.parse(readFileSync(join(FIXTURES_DIR, `${base}.json`), 'utf8')) as JsonObject;
    cases.push({
      ...(meta as Partial<RenderCase>),
      name: `fixture/${base}`,
      template: readFileSync(join(FIXTURES_DIR, file), 'utf8'),
      context: (meta.context ?? {}) as JsonObject,
    });
  }
  const listed = JSON.parse(readFileSync(join(FIXTURES_DIR, 'cases.json'), 'utf8')) as {
    cases: RenderCase[];
  };
  return [...cases, ...listed.cases];
}

/** Turns the JSON markers into the values our renderer expects. */
export function decodeContext(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeContext);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as JsonObject;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$float') return new PyFloat(Number(obj.$float));
  if (keys.length === 1 && keys[0] === '$absentComponent') return absentComponent();
  return Object.fromEntries(keys.map((k) => [k, decodeContext(obj[k])]));
}
