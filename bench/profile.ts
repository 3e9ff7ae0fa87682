/**
 * `npx tsx bench/profile.ts [pglite|postgres]`: runs Nucleon under `node --cpu-prof`, drives signed
 * GetEnvironmentTemplate calls at it as the server bench does, stops it, and prints where the CPU
 * time went: self time by function and by package (ADR 0024). The .cpuprofile file stays in
 * bench/results/ for Chrome DevTools.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ProtonClient } from '@nucleon/protocol';
import { KEY, drive, root, signedPool, start, stop, writePool } from './server-bench.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const p = /packages\/([^/]+)\//.exec(url);
  if (p) return `@nucleon/${p[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Self time per function and per package, in percent of all samples. */
export function summarize(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  let total = 0;
  for (const v of selfUs.values()) total += v;
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(root, '')}:${f.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const pkg = where(f.url) + (f.url ? '' : ` ${f.functionName}`);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const pct = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return { totalMs: Math.round(total / 1000), functions: pct(fns), packages: pct(pkgs) };
}

const kind = (process.argv[2] ?? 'postgres') as 'pglite' | 'postgres';
const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-profile-'));
const profDir = join(root, 'bench/results/profiles');
mkdirSync(profDir, { recursive: true });
const env: Record<string, string> = {
  NUCLEON_DATA_DIR: dataDir,
};
let dbName: string | undefined;
if (kind === 'postgres') {
  dbName = `nucleon_profile_${Date.now()}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${dbName}`;
}
const before = new Set(readdirSync(profDir));
const server = await start(env, undefined, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
await new ProtonClient({ endpoint: server.url, region: 'us-east-1', credentials: KEY }).call(
  'CreateEnvironmentTemplate',
  { name: 'bench-env' },
);
const load = drive(server.url, writePool(dataDir, await signedPool(server.url, 64)));
await stop(server.child);
const file = readdirSync(profDir).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
process.stdout.write(JSON.stringify(load) + '\n');
if (file) {
  const s = summarize(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile);
  process.stdout.write(
    `${join(profDir, file)}: ${s.totalMs} ms sampled\n\nself time by package:\n${s.packages.join('\n')}\n\nself time by function:\n${s.functions.join('\n')}\n`,
  );
}
rmSync(dataDir, { recursive: true, force: true });
if (dbName) {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
