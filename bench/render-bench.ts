/**
 * Render throughput: Nucleon's renderer against Python Jinja2 on the same templates and contexts
 * (the realistic CloudFormation fixtures of the differential test: loops, nested loops,
 * conditionals, the everyday filters and Proton's four, up to a 24-microservice instance template
 * rendering 73 KB), in one run. Python compiles each template once and loops for a fixed time;
 * ours renders through `createRenderer()`, whose compiled-template cache makes every render after
 * the first skip compilation, as in production. V8 needs a few seconds to optimise the compiled
 * templates, so ours is measured twice: the first seconds (`ours_cold_renders_per_sec`) and then
 * steady state (`ours_renders_per_sec`, used for the ratios). Our loops run for a budget of this
 * process's CPU time rather than wall-clock time, so a loaded machine cannot cut V8's warm-up short.
 *
 * Two figures per engine, because the machine is often shared: wall-clock renders per second
 * (`ratio`), and CPU time per render — `process.cpuUsage()` for ours, `time.process_time()` in the
 * Python process for Jinja2 — whose ratio (`cpu_ratio`) moves much less with other load. Jinja2 is
 * measured before and after ours and averaged, so a load change during the run hits both engines.
 *
 * Run alone with `npx tsx bench/render-bench.ts`. `NUCLEON_BENCH_RENDER_BASELINE` names another
 * build's `packages/templates/dist/render/index.js`: it is measured in the same run
 * (`baseline_renders_per_sec`, `baseline_cpu_us_per_render`), to compare before and after a
 * change. Each template's own figures are in `per_template`.
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

/** Throughput of one engine: renders per wall-clock second and CPU microseconds per render. */
interface Rate {
  perSec: number;
  cpuUs: number;
}

/** This process's CPU time so far, in microseconds (all threads: V8's compiler and GC included). */
function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Renders `work` in a loop for `seconds` of this process's CPU time (at most four times that in
 * wall-clock time). On a loaded machine a wall-clock budget gives V8 too little CPU to finish
 * optimising the compiled templates, and the figure would measure the load, not the renderer.
 */
function measure(renderer: Renderer, work: readonly Work[], seconds: number): Rate {
  let renders = 0;
  const start = performance.now();
  const cpu = cpuNow();
  const cpuDeadline = cpu + seconds * 1e6;
  const wallDeadline = start + seconds * 4000;
  while (cpuNow() < cpuDeadline && performance.now() < wallDeadline) {
    for (const w of work) {
      renderer.render(w.source, w.context, w.file);
      renders++;
    }
  }
  const used = cpuNow() - cpu;
  return {
    perSec: renders / ((performance.now() - start) / 1000),
    cpuUs: used / renders,
  };
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

function ours(cases: readonly RenderCase[], build?: RenderModule): { cold: Rate; warm: Rate } {
  const renderer = build ? build.createRenderer() : createRenderer();
  const work = cases.map((c) => ({
    source: c.template,
    context: (build ? decodeWith(build, c.context) : decodeContext(c.context)) as object,
    file: c.name,
  }));
  const cold = measure(renderer, work, WARMUP_SECONDS);
  return { cold, warm: measure(renderer, work, SECONDS) };
}

/** Each template alone, after a short warm-up. */
function perTemplate(cases: readonly RenderCase[]): Record<string, Rate> {
  const renderer = createRenderer();
  const out: Record<string, Rate> = {};
  for (const c of cases) {
    const work = [
      { source: c.template, context: decodeContext(c.context) as object, file: c.name },
    ];
    measure(renderer, work, 0.5);
    out[c.name] = measure(renderer, work, 1);
  }
  return out;
}

async function jinjaPerTemplate(cases: readonly RenderCase[]): Promise<Record<string, Rate>> {
  const out: Record<string, Rate> = {};
  for (const c of cases) {
    const rate = await jinja([c], 1);
    if (rate !== undefined) out[c.name] = rate;
  }
  return out;
}

/** Jinja2's rate in a Python process; undefined without python3/jinja2. */
function jinja(cases: readonly RenderCase[], seconds: number): Promise<Rate | undefined> {
  return new Promise((resolve) => {
    const child = spawn('python3', [JINJA_REFERENCE], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined);
      const result = JSON.parse(out) as { renders: number; seconds: number; cpu_seconds: number };
      resolve({
        perSec: result.renders / result.seconds,
        cpuUs: (result.cpu_seconds * 1e6) / result.renders,
      });
    });
    child.stdin.end(JSON.stringify({ mode: 'bench', cases, seconds }));
  });
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const ratio = (a: number, b: number): number => Number((a / b).toFixed(2));

/**
 * Measures both engines; the `jinja2_*` figures and ratios are null without python3/jinja2.
 * `ratio` is wall-clock renders per second, ours over Jinja2's; `cpu_ratio` is Jinja2's CPU time
 * per render over ours (both: how many times faster ours is).
 */
export async function renderBench(): Promise<Record<string, unknown>> {
  const cases = loadRenderCases().filter((c) => c.name.startsWith('fixture/'));
  const before = await jinja(cases, SECONDS);
  const { cold, warm } = ours(cases);
  const after = await jinja(cases, SECONDS);
  const theirs =
    before && after
      ? { perSec: (before.perSec + after.perSec) / 2, cpuUs: (before.cpuUs + after.cpuUs) / 2 }
      : undefined;
  const baselinePath = process.env.NUCLEON_BENCH_RENDER_BASELINE;
  const baseline = baselinePath
    ? ours(cases, (await import(pathToFileURL(baselinePath).href)) as RenderModule).warm
    : undefined;
  const mine = perTemplate(cases);
  const theirsEach = await jinjaPerTemplate(cases);
  return {
    name: 'render',
    ours_renders_per_sec: Math.round(warm.perSec),
    ours_cpu_us_per_render: round1(warm.cpuUs),
    ours_cold_renders_per_sec: Math.round(cold.perSec),
    jinja2_renders_per_sec: theirs ? Math.round(theirs.perSec) : null,
    jinja2_cpu_us_per_render: theirs ? round1(theirs.cpuUs) : null,
    ratio: theirs ? ratio(warm.perSec, theirs.perSec) : null,
    cpu_ratio: theirs ? ratio(theirs.cpuUs, warm.cpuUs) : null,
    ...(baseline === undefined
      ? {}
      : {
          baseline: baselinePath,
          baseline_renders_per_sec: Math.round(baseline.perSec),
          baseline_cpu_us_per_render: round1(baseline.cpuUs),
          ratio_to_baseline: ratio(warm.perSec, baseline.perSec),
          cpu_ratio_to_baseline: ratio(baseline.cpuUs, warm.cpuUs),
        }),
    per_template: Object.fromEntries(
      cases.map((c) => {
        const a = mine[c.name];
        const b = theirsEach[c.name];
        return [
          c.name,
          {
            ours_renders_per_sec: a ? Math.round(a.perSec) : null,
            ours_cpu_us_per_render: a ? round1(a.cpuUs) : null,
            jinja2_renders_per_sec: b ? Math.round(b.perSec) : null,
            jinja2_cpu_us_per_render: b ? round1(b.cpuUs) : null,
            cpu_ratio: a && b ? ratio(b.cpuUs, a.cpuUs) : null,
          },
        ];
      }),
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
