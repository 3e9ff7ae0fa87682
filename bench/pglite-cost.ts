/**
 * What the embedded database costs by itself, run as its own process: the RSS of a bare Node
 * process, then the time and RSS of opening PGlite on a new data dir (initdb, the cold start) and
 * on that same dir again (the warm start). Prints JSON.
 *
 * Usage: node --import tsx bench/pglite-cost.ts <empty-dir>
 */
import { join } from 'node:path';

const dir = process.argv[2]!;
const rssMb = () => Math.round(process.memoryUsage.rss() / 1024 / 1024);
const node = rssMb();
const t0 = performance.now();
const { PGlite } = await import('@electric-sql/pglite');
const importMs = performance.now() - t0;
const t1 = performance.now();
const cold = await PGlite.create(join(dir, 'pgdata'));
await cold.query('select 1');
const coldMs = performance.now() - t1;
const coldRss = rssMb();
await cold.close();
const t2 = performance.now();
const warm = await PGlite.create(join(dir, 'pgdata'));
await warm.query('select 1');
const warmMs = performance.now() - t2;
await new Promise((r) => setTimeout(r, 500));
const warmRss = rssMb();
await warm.close();
process.stdout.write(
  JSON.stringify({
    node_alone_rss_mb: node,
    import_ms: Math.round(importMs),
    cold_open_ms: Math.round(coldMs),
    rss_after_cold_open_mb: coldRss,
    warm_open_ms: Math.round(warmMs),
    rss_after_warm_open_mb: warmRss,
  }) + '\n',
);
