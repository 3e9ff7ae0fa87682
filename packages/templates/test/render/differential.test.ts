/**
 * Proof of fidelity: every case in the render corpus is rendered by Nucleon's renderer and by
 * Python Jinja2 (configured as Proton was, with Proton's filters) and the bytes must be identical.
 * Cases that document a deliberate difference assert only Nucleon's behaviour. Without python3 and
 * jinja2 the suite is skipped locally, but fails in CI (CI=true), where the reference must exist.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { RenderError, createRenderer } from '../../src/render/index.js';
import {
  JINJA_REFERENCE,
  decodeContext,
  loadRenderCases,
  type RenderCase,
} from './render-cases.js';

interface ReferenceResult {
  name: string;
  ok: boolean;
  output?: string;
  error?: string;
}

const probe = spawnSync(
  'python3',
  ['-c', 'import jinja2, sys; sys.stdout.write(jinja2.__version__)'],
  { encoding: 'utf8' },
);
const jinjaVersion = probe.status === 0 ? probe.stdout.trim() : undefined;
const inCi = process.env.CI === 'true';
const cases = loadRenderCases();

function runReference(all: readonly RenderCase[]): Map<string, ReferenceResult> {
  const res = spawnSync('python3', [JINJA_REFERENCE], {
    input: JSON.stringify({ mode: 'render', cases: all }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`jinja reference failed: ${res.stderr}`);
  const results = JSON.parse(res.stdout) as ReferenceResult[];
  return new Map(results.map((r) => [r.name, r]));
}

function renderOurs(
  c: RenderCase,
): { ok: true; output: string } | { ok: false; error: RenderError } {
  const renderer = createRenderer();
  try {
    const output = renderer.render(
      c.template,
      decodeContext(c.context) as object,
      `${c.name}.yaml`,
    );
    return { ok: true, output };
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    return { ok: false, error: err };
  }
}

if (!jinjaVersion && inCi) {
  describe('differential rendering against Python Jinja2', () => {
    it('has python3 with jinja2 available in CI', () => {
      expect.fail(
        'python3 with jinja2 is required for the differential test in CI (pip install Jinja2==3.1.6)',
      );
    });
  });
} else {
  const suite = jinjaVersion ? describe : describe.skip;
  suite(
    `differential rendering against Python Jinja2 ${jinjaVersion ?? '(python3/jinja2 not found: skipped)'}`,
    () => {
      let reference: Map<string, ReferenceResult>;
      beforeAll(() => {
        reference = runReference(cases);
      });

      it('covers a corpus of at least 100 cases with unique names', () => {
        expect(cases.length).toBeGreaterThanOrEqual(100);
        expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
      });

      it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const ref = reference.get(c.name);
        expect(ref, 'reference result').toBeDefined();
        const ours = renderOurs(c);
        if (c.expectError !== undefined) {
          expect(ours.ok, 'Nucleon must refuse this case').toBe(false);
          if (!ours.ok) expect(ours.error.message).toContain(c.expectError);
          if (!c.deliberateDifference)
            expect(ref?.ok, `Jinja2 must fail too (${ref?.output ?? ''})`).toBe(false);
          return;
        }
        expect(ref?.ok, `Jinja2 failed: ${ref?.error ?? ''}`).toBe(true);
        if (!ours.ok) throw ours.error;
        if (!c.deliberateDifference) expect(ours.output).toBe(ref?.output);
      });
    },
  );
}
