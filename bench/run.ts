/** `npm run bench`: runs every benchmark side by side in one process and writes JSON results. */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deployBench } from './deploy-bench.js';
import { listBench } from './list-bench.js';
import { serverBench } from './server-bench.js';
import { rolloutPlanBench } from './rollout-plan-bench.js';
import { rolloutBench } from './rollout-bench.js';

const results: Record<string, unknown>[] = [];
const only = process.argv[2];
if (!only || only === 'server') results.push(await serverBench());
if (!only || only === 'deploy') results.push(await deployBench());
if (!only || only === 'deploy-split') results.push(await deployBench('server-and-worker'));
if (!only || only === 'rollout' || only === 'fleet') {
  const plan = rolloutPlanBench();
  process.stderr.write(
    `rollout plan over 10,000 instances: ${String(plan.plan_ms)} ms to plan waves, ${String(plan.all_steps_ms)} ms for every step decision\n`,
  );
  results.push(plan);
}
if (!only || only === 'fleet') results.push(await rolloutBench());
if (!only || only === 'list') results.push(await listBench());
if (
  (!only || only === 'render') &&
  existsSync(fileURLToPath(new URL('./render-bench.ts', import.meta.url)))
) {
  const { renderBench } = await import('./render-bench.js');
  results.push(await renderBench());
}
const out = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, results };
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}bench-${out.at.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
writeFileSync(`${dir}latest.json`, JSON.stringify(out, null, 2) + '\n');
process.stdout.write(JSON.stringify(out, null, 2) + `\nwritten to ${file}\n`);
