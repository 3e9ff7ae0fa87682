/**
 * What the embedded database costs by itself, in a process of its own: `cold` opens PGlite on a
 * new data dir (initdb), `warm` on a dir that exists. Prints JSON: the RSS of the bare Node
 * process, the import and open times, and the RSS once open (after a query). The server bench
 * runs it once of each, each in a fresh process.
 *
 * Usage: node --import tsx bench/pglite-cost.ts <dir> cold|warm
 */
import { join } from 'node:path';

const [dir, mode] = process.argv.slice(2) as [string, 'cold' | 'warm'];
const rssMb = () => Math.round(process.memoryUsage.rss() / 1024 / 1024);
const node = rssMb();
const t0 = performance.now();
const { PGlite } = await import('@electric-sql/pglite');
const importMs = performance.now() - t0;
const t1 = performance.now();
const db = await PGlite.create(join(dir, 'pgdata'));
await db.query('select 1');
const openMs = performance.now() - t1;
await new Promise((r) => setTimeout(r, 500));
const rss = rssMb();
await db.close();
process.stdout.write(
  JSON.stringify({
    [`${mode}_node_alone_rss_mb`]: node,
    [`${mode}_import_ms`]: Math.round(importMs),
    [`${mode}_open_ms`]: Math.round(openMs),
    [`${mode}_rss_open_mb`]: rss,
  }) + '\n',
);
