/**
 * Generative differential test: a few thousand random templates (from the Jinja grammar: text,
 * output, if/elif/else, for with targets, filters, else and loop variables, set, block set,
 * with, macros, filter blocks, namespace, whitespace control, raw, comments; expressions with
 * Python methods, `%` and `.format()` formatting, filters, tests, tuples, slices) over random
 * contexts, rendered by Nucleon and by Python Jinja2 in one batch. Each must produce identical
 * output, or both must fail with the same error class (when Nucleon knows the Python class).
 * The seed is fixed (override with JINJA_GEN_SEED) and printed with every failure.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RenderError, createRenderer } from '../../src/render/index.js';
import { TemplateRuntimeError } from '../../src/render/render-error.js';
import { JINJA_REFERENCE } from './render-cases.js';
import { generateCases, type GeneratedCase } from './template-generator.js';

const SEED = Number(process.env.JINJA_GEN_SEED ?? 20261202);
const COUNT = Number(process.env.JINJA_GEN_COUNT ?? 2000);

const probe = spawnSync('python3', ['-c', 'import jinja2'], { encoding: 'utf8' });
const haveJinja = probe.status === 0;
const inCi = process.env.CI === 'true';

interface Reference {
  name: string;
  ok: boolean;
  output?: string;
  error?: string;
}

function reference(cases: readonly GeneratedCase[]): Reference[] {
  const res = spawnSync('python3', [JINJA_REFERENCE], {
    input: JSON.stringify({ mode: 'render', cases }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`jinja reference failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as Reference[];
}

/** The Python exception class Nucleon's error corresponds to, when it knows one. */
function pythonClass(err: RenderError): string | undefined {
  const cause = err.cause;
  if (cause instanceof TemplateRuntimeError && cause.pyClass) return cause.pyClass;
  if (/is undefined|there is no (previous|next) item/.test(err.message)) return 'UndefinedError';
  if (err.message.startsWith('syntax error')) return 'TemplateSyntaxError';
  return undefined;
}

function mismatch(c: GeneratedCase, ref: Reference | undefined): string | undefined {
  const renderer = createRenderer();
  let ours: { ok: true; output: string } | { ok: false; error: RenderError };
  try {
    ours = { ok: true, output: renderer.render(c.template, c.context, 'gen.yaml') };
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    ours = { ok: false, error: err };
  }
  if (!ref) return 'no reference result';
  if (ours.ok && ref.ok) {
    return ours.output === ref.output
      ? undefined
      : `output differs:\n  jinja2: ${JSON.stringify(ref.output)}\n  ours:   ${JSON.stringify(ours.output)}`;
  }
  if (ours.ok)
    return `Jinja2 failed (${ref.error ?? ''}) but Nucleon rendered ${JSON.stringify(ours.output)}`;
  if (ref.ok)
    return `Nucleon failed (${ours.error.toString()}) but Jinja2 rendered ${JSON.stringify(ref.output)}`;
  const theirs = (ref.error ?? '').split(':')[0];
  const mine = pythonClass(ours.error);
  if (mine !== undefined && mine !== theirs) {
    return `error class differs: Jinja2 ${ref.error ?? ''}; ours ${mine}: ${ours.error.toString()}`;
  }
  return undefined;
}

const suite = haveJinja || inCi ? describe : describe.skip;

suite(`generative differential test (seed ${SEED}, ${COUNT} templates)`, () => {
  it('renders every generated template as Jinja2 does', () => {
    expect(haveJinja, 'python3 with jinja2 is required in CI').toBe(true);
    const cases = generateCases(SEED, COUNT);
    const refs = reference(cases);
    const failures: string[] = [];
    let rendered = 0;
    cases.forEach((c, i) => {
      const ref = refs[i];
      if (ref?.ok) rendered++;
      const problem = mismatch(c, ref);
      if (problem)
        failures.push(
          `${c.name}\n  template: ${JSON.stringify(c.template)}\n  context: ${JSON.stringify(c.context)}\n  ${problem}`,
        );
    });
    expect(
      failures.slice(0, 5),
      `seed ${SEED}: ${failures.length} of ${COUNT} templates differ (rerun with JINJA_GEN_SEED=${SEED})`,
    ).toEqual([]);
    // Most generated templates must render, or the test would only compare failures.
    expect(rendered).toBeGreaterThan(COUNT / 2);
  });
});
