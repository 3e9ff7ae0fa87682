/**
 * List benchmark on PostgreSQL (ADR 0022): seeds environments, each with one deployment holding
 * ~20 KB of rendered files, straight into the database, then times the first page of
 * ListEnvironments and of ListDeployments (default maxResults, median of 15 signed calls) at
 * 100, 1,000 and 3,000 environments. `NUCLEON_BENCH_CLI` runs another build's
 * `packages/cli/bin/nucleon.js` against the same seeding, to compare before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtonClient } from '@nucleon/protocol';
import pg from 'pg';
import { KEY, start, stop } from './server-bench.js';

const SIZES = [100, 1000, 3000];
const RENDERED = JSON.stringify({ 'main.tf': 'x'.repeat(20_000) });

async function median(times: number, call: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) await call(); // warm-up
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10;
}

/** Adds environments `from`..`to - 1` and one finished deployment of each. */
async function seed(db: pg.Client, from: number, to: number): Promise<void> {
  await db.query(
    `insert into resources (kind, service_name, name, arn, environment_name, template_name,
       template_major, template_minor, spec, deployment_status, last_deployment_attempted_at,
       last_deployment_succeeded_at, settings, created_at)
     select 'ENVIRONMENT', '', 'env' || lpad(i::text, 5, '0'),
       'arn:aws:proton:us-east-1:000000000000:environment/env' || lpad(i::text, 5, '0'),
       null, 'bench-env', 1, 0, 'proton: EnvironmentSpec', 'SUCCEEDED', now(), now(), '{}', now()
     from generate_series($1::int, $2::int - 1) i`,
    [from, to],
  );
  await db.query(
    `insert into deployments (id, arn, target_kind, target_service, target_name, target_arn,
       target_created_at, environment_name, operation, engine, status, target_state, rendered,
       created_at, last_modified_at, completed_at)
     select 'dep' || lpad(i::text, 5, '0'),
       'arn:aws:proton:us-east-1:000000000000:deployment/dep' || lpad(i::text, 5, '0'),
       'ENVIRONMENT', '', 'env' || lpad(i::text, 5, '0'),
       'arn:aws:proton:us-east-1:000000000000:environment/env' || lpad(i::text, 5, '0'),
       now(), 'env' || lpad(i::text, 5, '0'), 'DEPLOY', 'terraform', 'SUCCEEDED', '{}', $3::jsonb,
       date_trunc('milliseconds', now()) - i * interval '1 second', now(), now()
     from generate_series($1::int, $2::int - 1) i`,
    [from, to, RENDERED],
  );
}

export async function listBench(): Promise<Record<string, unknown>> {
  const dbName = `nucleon_bench_list_${Date.now()}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-bench-list-'));
  const url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const server = await start(
    { NUCLEON_DATA_DIR: dataDir, DATABASE_URL: url },
    process.env.NUCLEON_BENCH_CLI,
  );
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const rows: Record<string, unknown>[] = [];
  try {
    const client = new ProtonClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: KEY,
    });
    let have = 0;
    for (const n of SIZES) {
      await seed(db, have, n);
      have = n;
      await db.query('analyze resources; analyze deployments');
      rows.push({
        environments: n,
        listEnvironmentsFirstPageMs: await median(15, () => client.call('ListEnvironments', {})),
        listDeploymentsFirstPageMs: await median(15, () => client.call('ListDeployments', {})),
      });
    }
  } finally {
    await db.end();
    await stop(server.child);
    await admin.query(`drop database ${dbName}`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    bench: 'list',
    database: 'postgres',
    cli: process.env.NUCLEON_BENCH_CLI ?? 'this build',
    rows,
  };
}
