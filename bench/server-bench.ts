/**
 * Server benchmarks, each run on the embedded database (PGlite) and on PostgreSQL: cold start on
 * a new data dir and warm start (process start to first answered request), idle RSS, and signed
 * GetEnvironmentTemplate throughput with p50/p99 latency from a second process.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
): Promise<{ child: ChildProcess; ms: number; url: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'up', '--port', '0'], {
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

async function signedGet(url: string): Promise<{ headers: Record<string, string>; body: string }> {
  const u = new URL(url);
  const body = JSON.stringify({ name: 'bench-env' });
  const signer = new SignatureV4({
    credentials: KEY,
    region: 'us-east-1',
    service: 'proton',
    sha256: Sha256,
  });
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
  );
  return { headers: signed.headers, body };
}

async function oneDatabase(kind: 'pglite' | 'postgres'): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-bench-'));
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
    await stop(cold.child);
    const warm = await start(env);
    await new ProtonClient({ endpoint: warm.url, region: 'us-east-1', credentials: KEY }).call(
      'CreateEnvironmentTemplate',
      { name: 'bench-env' },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(warm.child.pid!);
    const { headers, body } = await signedGet(warm.url);
    const load = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'bench/load-client.ts'),
          warm.url,
          JSON.stringify(headers),
          body,
          '10',
          '32',
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number>;
    const underLoad = rssMb(warm.child.pid!);
    await stop(warm.child);
    return {
      database: kind,
      cold_start_ms: cold.ms,
      warm_start_ms: warm.ms,
      idle_rss_mb: idle,
      rss_after_load_mb: underLoad,
      get_environment_template: load,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
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

export async function serverBench(): Promise<Record<string, unknown>> {
  return {
    name: 'server',
    targets: {
      warm_start_ms: 2000,
      cold_start_ms: 8000,
      idle_rss_mb_embedded: 350,
      requests_per_sec_postgres: 3000,
      p99_ms_postgres: 20,
    },
    runs: [await oneDatabase('pglite'), await oneDatabase('postgres')],
  };
}
