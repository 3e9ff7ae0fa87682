/**
 * Server benchmarks, each run on the embedded database (PGlite) and on PostgreSQL: cold start on
 * a new data dir and warm start (process start to first answered request), idle RSS, and signed
 * GetEnvironmentTemplate throughput with p50/p99 latency, driven by autocannon from its own
 * process (bench/load-client.ts) with pre-signed requests; then the same client against the
 * baseline (bench/baseline-server.ts: the same signature check and row read on a bare node:http
 * server, same database) and against a server that does nothing (the client's ceiling). Also what
 * PGlite costs by itself (bench/pglite-cost.ts). ADR 0024.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ProtonClient } from '@nucleon/protocol';
import pg from 'pg';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const KEY = {
  accessKeyId: 'AKIANUCLEONBENCHROOT',
  secretAccessKey: 'nucleon-bench-root-secret-key-0000000000',
};

export function start(
  env: Record<string, string>,
  cli = join(root, 'packages/cli/bin/nucleon.js'),
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; ms: number; url: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, cli, 'up', '--port', '0'], {
    env: {
      ...process.env,
      NUCLEON_LOG_LEVEL: 'warn',
      NUCLEON_RATE_LIMIT_RPS: '0',
      NUCLEON_ROOT_ACCESS_KEY_ID: KEY.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Nucleon is running at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      child.stdout.removeAllListeners('data');
      const client = new ProtonClient({ endpoint: m[1]!, region: 'us-east-1', credentials: KEY });
      client
        .call('ListEnvironmentTemplates', {})
        .then(() => resolve({ child, ms: Math.round(performance.now() - t0), url: m[1]! }), reject);
    });
    child.on('exit', (code) => reject(new Error(`nucleon exited ${code}: ${out}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

/** Signs `count` GetEnvironmentTemplate requests, one second apart, all within SigV4's 15 minutes. */
export async function signedPool(
  url: string,
  count: number,
): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  const u = new URL(url);
  const body = JSON.stringify({ name: 'bench-env' });
  const signer = new SignatureV4({
    credentials: KEY,
    region: 'us-east-1',
    service: 'proton',
    sha256: Sha256,
  });
  const now = Date.now();
  const pool: Array<{ headers: Record<string, string>; body: string }> = [];
  for (let i = 0; i < count; i++) {
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        hostname: u.hostname,
        port: Number(u.port),
        path: '/',
        headers: {
          host: u.host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AwsProton20200720.GetEnvironmentTemplate',
        },
        body,
      }),
      { signingDate: new Date(now - i * 1000) },
    );
    pool.push({ headers: signed.headers, body });
  }
  return pool;
}

const SECONDS = Number(process.env.NUCLEON_BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.NUCLEON_BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.NUCLEON_BENCH_CONNECTIONS ?? 16);

type Measured = Record<string, number> & { requests_per_sec: number };

/** Drives `url` with the load client (its own process): a 2 s warm-up if asked, then the measured run. */
export function drive(url: string, poolFile: string, warmUp = true, pid?: number): Measured {
  const run = (seconds: number) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'bench/load-client.ts'),
          url,
          poolFile,
          String(seconds),
          String(CONNECTIONS),
        ],
        { encoding: 'utf8' },
      ),
    ) as Measured;
  if (warmUp) run(2);
  const cpu0 = pid ? cpuMs(pid) : 0;
  const measured = run(SECONDS);
  if (!pid || !measured.requests) return measured;
  // The server's own CPU time per answered request: far steadier than req/s on a shared
  // machine (waiting for a core costs wall time, not CPU time).
  const perRequest = (cpuMs(pid) - cpu0) / measured.requests;
  return { ...measured, server_cpu_ms_per_request: Number(perRequest.toFixed(3)) };
}

/** CPU time (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts bench/baseline-server.ts on `where` (a PostgreSQL URL, a PGlite data dir, `ceiling`). */
export function startBaseline(where: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/baseline-server.ts'),
      where,
      KEY.accessKeyId,
      KEY.secretAccessKey,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`baseline exited ${code}: ${out}`)));
  });
}

export function writePool(dir: string, pool: unknown, name = 'signed'): string {
  const file = join(dir, `${name}-pool.json`);
  writeFileSync(file, JSON.stringify(pool));
  return file;
}

async function oneDatabase(kind: 'pglite' | 'postgres'): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-bench-'));
  const poolDir = mkdtempSync(join(tmpdir(), 'nucleon-bench-pool-'));
  let dbName: string | undefined;
  const env: Record<string, string> = { NUCLEON_DATA_DIR: dataDir };
  if (kind === 'postgres') {
    dbName = `nucleon_bench_${Date.now()}`;
    const admin = new pg.Client({
      connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  }
  try {
    const cold = await start(env);
    await new ProtonClient({ endpoint: cold.url, region: 'us-east-1', credentials: KEY }).call(
      'CreateEnvironmentTemplate',
      { name: 'bench-env' },
    );
    await stop(cold.child);
    // The baseline reads the same row from the same database. PGlite's data dir opens in one
    // process only, so the baseline gets a copy of it, taken while Nucleon is stopped.
    let baseWhere = env.DATABASE_URL;
    if (!baseWhere) {
      baseWhere = join(poolDir, 'baseline-data');
      cpSync(join(dataDir, 'pgdata'), join(baseWhere, 'pgdata'), { recursive: true });
    }
    const warm = await start(env);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(warm.child.pid!);
    const base = await startBaseline(baseWhere);
    const nucleonPool = writePool(poolDir, await signedPool(warm.url, 64), 'nucleon');
    const basePool = writePool(poolDir, await signedPool(base.url, 64), 'baseline');
    // Rounds alternate between the two servers, so both see the same background load; each
    // side's best round is its figure (the machine is shared, other work only ever slows a run).
    const rounds: Array<{ nucleon: Measured; baseline: Measured }> = [];
    for (let i = 0; i < ROUNDS; i++)
      rounds.push({
        nucleon: drive(warm.url, nucleonPool, i === 0, warm.child.pid),
        baseline: drive(base.url, basePool, i === 0, base.child.pid),
      });
    const underLoad = rssMb(warm.child.pid!);
    await stop(warm.child);
    await stop(base.child);
    const best = (side: 'nucleon' | 'baseline') =>
      rounds
        .map((r) => r[side])
        .reduce((a, b) => (b.requests_per_sec > a.requests_per_sec ? b : a));
    const nucleon = best('nucleon');
    const baseline = best('baseline');
    const cpuPerRequest = (side: 'nucleon' | 'baseline') => {
      const all = rounds.map((r) => r[side].server_cpu_ms_per_request ?? Infinity);
      return Math.min(...all);
    };
    return {
      database: kind,
      cold_start_ms: cold.ms,
      warm_start_ms: warm.ms,
      idle_rss_mb: idle,
      rss_after_load_mb: underLoad,
      get_environment_template: nucleon,
      baseline_get_environment_template: baseline,
      ratio_to_baseline: Number((nucleon.requests_per_sec / baseline.requests_per_sec).toFixed(2)),
      // The same ratio from CPU time per request (least per side over the rounds).
      cpu_ratio_to_baseline: Number(
        (cpuPerRequest('baseline') / cpuPerRequest('nucleon')).toFixed(2),
      ),
      server_cpu_ms_per_request: cpuPerRequest('nucleon'),
      baseline_cpu_ms_per_request: cpuPerRequest('baseline'),
      rounds,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(poolDir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({
        connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
      });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

/** The load client against a server that does nothing: the most this client can measure here. */
async function clientCeiling(): Promise<Record<string, number>> {
  const poolDir = mkdtempSync(join(tmpdir(), 'nucleon-bench-pool-'));
  try {
    const base = await startBaseline('ceiling');
    const result = drive(base.url, writePool(poolDir, await signedPool(base.url, 64)));
    await stop(base.child);
    return result;
  } finally {
    rmSync(poolDir, { recursive: true, force: true });
  }
}

/** What PGlite alone costs (import, cold and warm open, RSS), each in a process of its own. */
function pgliteCost(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-pglite-'));
  const run = (mode: 'cold' | 'warm') =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'bench/pglite-cost.ts'), dir, mode],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number>;
  try {
    return { ...run('cold'), ...run('warm') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function serverBench(): Promise<Record<string, unknown>> {
  return {
    name: 'server',
    targets: {
      warm_start_ms_embedded: 1500,
      idle_rss_mb_embedded: 300,
      requests_per_sec_postgres: 3000,
      p99_ms_postgres: 20,
      ratio_to_baseline_postgres: 0.7,
      requests_per_sec_pglite: 1500,
    },
    load: {
      client: 'autocannon in its own process, 64 pre-signed requests replayed round robin',
      connections: CONNECTIONS,
      seconds_per_round: SECONDS,
      rounds: ROUNDS,
      figure: "each server's best round; rounds alternate Nucleon / baseline",
      warm_up_seconds: 2,
    },
    load_average_before: loadavg().map((n) => Number(n.toFixed(2))),
    client_ceiling: await clientCeiling(),
    pglite_alone: pgliteCost(),
    runs: [await oneDatabase('pglite'), await oneDatabase('postgres')],
    load_average_after: loadavg().map((n) => Number(n.toFixed(2))),
  };
}
