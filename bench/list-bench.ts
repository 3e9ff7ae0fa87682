/**
 * List benchmark on PostgreSQL (ADRs 0022, 0029): seeds environments, each with one deployment
 * holding 2 KB of rendered files, and as many service instances (one service), straight into
 * the database with bulk `insert … select generate_series` (100,000 of each in seconds), then
 * times the first page of ListEnvironments, ListServiceInstances (default sort, and by creation
 * time newest first) and ListDeployments (default maxResults, median of 15 signed calls) at 100,
 * 1,000 and 100,000 rows. Flat rows across the sizes are the point. `NUCLEON_BENCH_CLI` runs
 * another build's `packages/cli/bin/nucleon.js` against the same seeding, to compare before and
 * after; `NUCLEON_BENCH_LIST_SIZES` (comma-separated) overrides the sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtonClient } from '@nucleon/protocol';
import pg from 'pg';
import { KEY, start, stop } from './server-bench.js';

const SIZES = (process.env.NUCLEON_BENCH_LIST_SIZES ?? '100,1000,100000')
  .split(',')
  .map((n) => Number(n));
// Rendered files and specs the list paths must not read. Kept small (2 KB, ~0.5 KB) so 100,000
// rows seed in seconds: compressing 20 KB per row took ~30 s at that size, and what a list reads
// does not depend on it (list-pages.e2e proves no list query names these columns).
const RENDERED = JSON.stringify({ 'main.tf': 'x'.repeat(2_000) });
const INSTANCE_SPEC = `proton: ServiceSpec\ninstances:\n${'  - name: x\n    spec: {}\n'.repeat(20)}`;

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
     select 'ENVIRONMENT', '', 'env' || lpad(i::text, 6, '0'),
       'arn:aws:proton:us-east-1:000000000000:environment/env' || lpad(i::text, 6, '0'),
       null, 'bench-env', 1, 0, 'proton: EnvironmentSpec', 'SUCCEEDED', now(), now(), '{}', now()
     from generate_series($1::int, $2::int - 1) i`,
    [from, to],
  );
  await db.query(
    `insert into resources (kind, service_name, name, arn, environment_name, template_name,
       template_major, template_minor, spec, deployment_status, last_deployment_attempted_at,
       last_deployment_succeeded_at, settings, created_at)
     select 'SERVICE_INSTANCE', 'svc', 'inst' || lpad(i::text, 6, '0'),
       'arn:aws:proton:us-east-1:000000000000:service/svc/service-instance/inst' || lpad(i::text, 6, '0'),
       'env' || lpad(i::text, 6, '0'), 'bench-svc', 1, 0, $3, 'SUCCEEDED',
       now() - i * interval '1 second', now(), '{}', now() - i * interval '1 second'
     from generate_series($1::int, $2::int - 1) i`,
    [from, to, INSTANCE_SPEC],
  );
  await db.query(
    `insert into deployments (id, arn, target_kind, target_service, target_name, target_arn,
       target_created_at, environment_name, operation, engine, status, target_state, rendered,
       created_at, last_modified_at, completed_at)
     select 'dep' || lpad(i::text, 6, '0'),
       'arn:aws:proton:us-east-1:000000000000:deployment/dep' || lpad(i::text, 6, '0'),
       'ENVIRONMENT', '', 'env' || lpad(i::text, 6, '0'),
       'arn:aws:proton:us-east-1:000000000000:environment/env' || lpad(i::text, 6, '0'),
       now(), 'env' || lpad(i::text, 6, '0'), 'DEPLOY', 'terraform', 'SUCCEEDED', '{}', $3::jsonb,
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
      const s0 = performance.now();
      await seed(db, have, n);
      process.stderr.write(
        `list bench: seeded ${n - have} environments, instances and deployments in ${Math.round(performance.now() - s0)} ms\n`,
      );
      have = n;
      await db.query('analyze resources; analyze deployments');
      const t0 = performance.now();
      rows.push({
        rows: n,
        listEnvironmentsFirstPageMs: await median(15, () => client.call('ListEnvironments', {})),
        listServiceInstancesFirstPageMs: await median(15, () =>
          client.call('ListServiceInstances', {}),
        ),
        listServiceInstancesNewestFirstPageMs: await median(15, () =>
          client.call('ListServiceInstances', { sortBy: 'createdAt', sortOrder: 'DESCENDING' }),
        ),
        listDeploymentsFirstPageMs: await median(15, () => client.call('ListDeployments', {})),
      });
      process.stderr.write(
        `list bench: ${n} rows measured in ${Math.round(performance.now() - t0)} ms\n`,
      );
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
