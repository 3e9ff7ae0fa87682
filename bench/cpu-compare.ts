/**
 * `npx tsx bench/cpu-compare.ts [postgres|pglite] [rounds]`: the quick check behind each change of
 * the signed read path (ADR 0024). Starts Nucleon (from the build) and the baseline on the same
 * database, then drives them in alternating rounds with the bench's load client and prints each
 * round's throughput and server CPU time per request, and the best (least) CPU time per request
 * of each side with their ratio. CPU time per request is the figure to compare on a shared
 * machine: waiting for a core costs wall time, not CPU time. No start or memory figures.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ProtonClient } from '@nucleon/protocol';
import { KEY, drive, signedPool, start, startBaseline, stop, writePool } from './server-bench.js';

const kind = (process.argv[2] ?? 'postgres') as 'pglite' | 'postgres';
const rounds = Number(process.argv[3] ?? 4);
const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-compare-'));
const env: Record<string, string> = { NUCLEON_DATA_DIR: dataDir };
const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
let dbName: string | undefined;

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(text);
  await client.end();
}

try {
  if (kind === 'postgres') {
    dbName = `nucleon_compare_${Date.now()}`;
    await sql(`create database ${dbName}`);
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  }
  let nucleon = await start(env);
  await new ProtonClient({ endpoint: nucleon.url, region: 'us-east-1', credentials: KEY }).call(
    'CreateEnvironmentTemplate',
    { name: 'bench-env' },
  );
  let where = env.DATABASE_URL;
  if (!where) {
    // One process opens a PGlite dir at a time: the baseline reads a copy, taken while stopped.
    await stop(nucleon.child);
    where = join(dataDir, 'baseline');
    cpSync(join(dataDir, 'pgdata'), join(where, 'pgdata'), { recursive: true });
    nucleon = await start(env);
  }
  const base = await startBaseline(where);
  const nPool = writePool(dataDir, await signedPool(nucleon.url, 64), 'nucleon');
  const bPool = writePool(dataDir, await signedPool(base.url, 64), 'baseline');
  const best = { nucleon: Infinity, baseline: Infinity };
  for (let i = 0; i < rounds; i++) {
    const n = drive(nucleon.url, nPool, i === 0, nucleon.child.pid);
    const b = drive(base.url, bPool, i === 0, base.child.pid);
    best.nucleon = Math.min(best.nucleon, n.server_cpu_ms_per_request ?? Infinity);
    best.baseline = Math.min(best.baseline, b.server_cpu_ms_per_request ?? Infinity);
    process.stdout.write(
      `round ${i + 1}: nucleon ${n.requests_per_sec} req/s ${n.server_cpu_ms_per_request} ms cpu/req (p99 ${n.p99_ms} ms, errors ${n.errors}); baseline ${b.requests_per_sec} req/s ${b.server_cpu_ms_per_request} ms cpu/req; load ${loadavg()[0]!.toFixed(1)}\n`,
    );
  }
  process.stdout.write(
    `${kind}: best cpu/req nucleon ${best.nucleon} ms, baseline ${best.baseline} ms, nucleon/baseline ${(best.nucleon / best.baseline).toFixed(2)}\n`,
  );
  await stop(nucleon.child);
  await stop(base.child);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  if (dbName) await sql(`drop database if exists ${dbName} with (force)`);
}
