/**
 * Render throughput: Nucleon's renderer against Python Jinja2 on the same templates and contexts
 * (the realistic CloudFormation fixtures of the differential test), in one run. Python compiles
 * each template once and loops for a fixed time; ours renders through `createRenderer()`, whose
 * compiled-template cache makes every render after the first skip compilation, as in production.
 * V8 needs a few seconds to optimise the compiled templates, so ours is measured twice: the first
 * seconds (`ours_cold_renders_per_sec`) and then steady state (`ours_renders_per_sec`, used for
 * the ratio). Run alone with `npx tsx bench/render-bench.ts`. `NUCLEON_BENCH_RENDER_BASELINE`
 * names another build's `packages/templates/dist/render/index.js`: it is measured in the same run
 * (`baseline_renders_per_sec`), to compare before and after a change. Each template's own rate is
 * in `per_template` (ours and Jinja2's).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createRenderer, type Renderer } from '../packages/templates/src/render/index.js';
import {
  JINJA_REFERENCE,
  decodeContext,
  loadRenderCases,
  type RenderCase,
} from '../packages/templates/test/render/render-cases.js';

const SECONDS = 2;
const WARMUP_SECONDS = 3;

interface Work {
  source: string;
  context: object;
  file: string;
}

function rendersPerSecond(renderer: Renderer, work: readonly Work[], seconds: number): number {
  let renders = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (const w of work) {
      renderer.render(w.source, w.context, w.file);
      renders++;
    }
  }
  return renders / ((performance.now() - start) / 1000);
}

/** What a renderer build exports that the bench uses (a baseline build decodes its own values). */
interface RenderModule {
  createRenderer: () => Renderer;
  PyFloat: new (n: number) => unknown;
  absentComponent: () => unknown;
}

/** The JSON markers of the corpus as another build's values (see render-cases.ts). */
function decodeWith(m: RenderModule, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeWith(m, v));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$float') return new m.PyFloat(Number(obj.$float));
  if (keys.length === 1 && keys[0] === '$absentComponent') return m.absentComponent();
  return Object.fromEntries(keys.map((k) => [k, decodeWith(m, obj[k])]));
}

function oursPerSecond(
  cases: readonly RenderCase[],
  build?: RenderModule,
): { cold: number; warm: number } {
  const renderer = build ? build.createRenderer() : createRenderer();
  const work = cases.map((c) => ({
    source: c.template,
    context: (build ? decodeWith(build, c.context) : decodeContext(c.context)) as object,
    file: c.name,
  }));
  const cold = rendersPerSecond(renderer, work, WARMUP_SECONDS);
  return { cold, warm: rendersPerSecond(renderer, work, SECONDS) };
}

/** Renders per second of each template alone, after a short warm-up. */
function perTemplate(cases: readonly RenderCase[]): Record<string, number> {
  const renderer = createRenderer();
  const out: Record<string, number> = {};
  for (const c of cases) {
    const work = [
      { source: c.template, context: decodeContext(c.context) as object, file: c.name },
    ];
    rendersPerSecond(renderer, work, 0.5);
    out[c.name] = Math.round(rendersPerSecond(renderer, work, 1));
  }
  return out;
}

async function jinjaPerTemplate(cases: readonly RenderCase[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of cases) {
    const rate = await jinjaPerSecond([c], 1);
    if (rate !== undefined) out[c.name] = Math.round(rate);
  }
  return out;
}

function jinjaPerSecond(
  cases: readonly RenderCase[],
  seconds: number,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn('python3', [JINJA_REFERENCE], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined);
      const result = JSON.parse(out) as { renders: number; seconds: number };
      resolve(result.renders / result.seconds);
    });
    child.stdin.end(JSON.stringify({ mode: 'bench', cases, seconds }));
  });
}

/** Measures renders per second of both engines; `jinja2_renders_per_sec` is null without python3/jinja2. */
export async function renderBench(): Promise<Record<string, unknown>> {
  const cases = loadRenderCases().filter((c) => c.name.startsWith('fixture/'));
  const jinja = await jinjaPerSecond(cases, SECONDS);
  const { cold, warm: ours } = oursPerSecond(cases);
  const baselinePath = process.env.NUCLEON_BENCH_RENDER_BASELINE;
  const baseline = baselinePath
    ? oursPerSecond(cases, (await import(pathToFileURL(baselinePath).href)) as RenderModule).warm
    : undefined;
  const mine = perTemplate(cases);
  const theirs = await jinjaPerTemplate(cases);
  return {
    name: 'render',
    ours_renders_per_sec: Math.round(ours),
    ours_cold_renders_per_sec: Math.round(cold),
    jinja2_renders_per_sec: jinja === undefined ? null : Math.round(jinja),
    ratio: jinja === undefined ? null : Number((ours / jinja).toFixed(2)),
    ...(baseline === undefined
      ? {}
      : {
          baseline: baselinePath,
          baseline_renders_per_sec: Math.round(baseline),
          ratio_to_baseline: Number((ours / baseline).toFixed(2)),
        }),
    per_template: Object.fromEntries(
      cases.map((c) => [c.name, { ours: mine[c.name], jinja2: theirs[c.name] ?? null }]),
    ),
    templates: cases.length,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  renderBench().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
