/**
 * Fleet benchmarks on PostgreSQL: preview renders per second (PreviewRollout over 200 CodeBuild
 * instances: each renders the instance's inputs against the target version and diffs it), and a
 * 1,000-instance rollout from 1.0 to 1.1 in four waves with max in flight 50 (target ≤ 90 s on
 * the project's 2 cores; measured from StartRollout to SUCCEEDED). The template is a trivial
 * CodeBuild one whose provision is `true`. Run alone with `npm run bench -- fleet`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  ListServicesCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer } from '@nucleon/test-utils';
import pg from 'pg';
import { countSqlRoundTrips, deploymentPhases, startWindow } from './measure.js';

const SERVICES = 50;
const PER_SERVICE = 20;

/** A CodeBuild bundle; `replicas` changes its schema default so versions render differently. */
function bundle(kind: 'env' | 'svc', replicas = 1): string {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-fleet-'));
  const infra = kind === 'env' ? 'infrastructure' : 'instance_infrastructure';
  mkdirSync(join(dir, 'schema'));
  mkdirSync(join(dir, infra));
  writeFileSync(
    join(dir, 'schema/schema.yaml'),
    `schema:\n  format:\n    openapi: "3.0.0"\n  ${kind === 'env' ? 'environment' : 'service'}_input_type: "I"\n  types:\n    I:\n      type: object\n      properties:\n        replicas:\n          type: number\n          default: ${replicas}\n`,
  );
  writeFileSync(
    join(dir, infra, 'manifest.yaml'),
    'infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision:\n          - "true"\n        deprovision:\n          - "true"\n',
  );
  const out = execFileSync('tar', ['-czf', '-', '-C', dir, '.']).toString('base64');
  rmSync(dir, { recursive: true, force: true });
  return out;
}

export async function rolloutBench(): Promise<Record<string, unknown>> {
  countSqlRoundTrips();
  const server = await startTestServer({
    dialect: 'postgres',
    env: { NUCLEON_WORKER_CONCURRENCY: '8', NUCLEON_LOG_LEVEL: 'silent' },
  });
  try {
    const sdk = new SdkClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    const own = new ProtonClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    const call = (op: string, input: Record<string, unknown>) =>
      own.send(`${extensionTargetPrefix}.${op}`, input) as Promise<Record<string, unknown>>;
    const push = async (key: string, content: string) =>
      ((await call('PutBundle', { key, content })) as { s3: { bucket: string; key: string } }).s3;
    const w = { client: sdk, maxWaitTime: 120, minDelay: 1, maxDelay: 1 };

    await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'f-env' }));
    await sdk.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'f-env',
        source: { s3: await push('f-env', bundle('env')) },
      }),
    );
    const envRef = { templateName: 'f-env', majorVersion: '1', minorVersion: '0' };
    await waitUntilEnvironmentTemplateVersionRegistered(w, envRef);
    await sdk.send(new UpdateEnvironmentTemplateVersionCommand({ ...envRef, status: 'PUBLISHED' }));
    await sdk.send(
      new CreateServiceTemplateCommand({ name: 'f-svc', pipelineProvisioning: 'CUSTOMER_MANAGED' }),
    );
    for (const [minor, replicas] of [
      ['0', 1],
      ['1', 2],
    ] as const) {
      await sdk.send(
        new CreateServiceTemplateVersionCommand({
          templateName: 'f-svc',
          // The first version creates major 1; the second is its next minor.
          ...(minor === '0' ? {} : { majorVersion: '1' }),
          source: { s3: await push(`f-svc-1.${minor}`, bundle('svc', replicas)) },
          compatibleEnvironmentTemplates: [{ templateName: 'f-env', majorVersion: '1' }],
        }),
      );
      const ref = { templateName: 'f-svc', majorVersion: '1', minorVersion: minor };
      await waitUntilServiceTemplateVersionRegistered(w, ref);
      await sdk.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
    }
    await sdk.send(
      new CreateEnvironmentCommand({
        name: 'fleet',
        templateName: 'f-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w, { name: 'fleet' });

    // The fleet: 50 services of 20 instances on 1.0.
    const spec = `proton: ServiceSpec\ninstances:\n${Array.from(
      { length: PER_SERVICE },
      (_, i) => `  - name: i${i}\n    environment: fleet\n    spec: {}\n`,
    ).join('')}`;
    const t0 = performance.now();
    for (let s = 0; s < SERVICES; s++)
      await sdk.send(
        new CreateServiceCommand({
          name: `s${s}`,
          templateName: 'f-svc',
          templateMajorVersion: '1',
          templateMinorVersion: '0',
          spec,
        }),
      );
    for (;;) {
      const services = [];
      let token: string | undefined;
      do {
        const page = await sdk.send(new ListServicesCommand({ nextToken: token }));
        services.push(...(page.services ?? []));
        token = page.nextToken;
      } while (token);
      const done = services.filter((x) => x.status !== 'CREATE_IN_PROGRESS');
      if (done.length === SERVICES) {
        const failed = done.filter((x) => x.status !== 'ACTIVE').length;
        if (failed) throw new Error(`${failed} services failed`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const fleetSetupS = (performance.now() - t0) / 1000;

    // Preview renders per second: 10 services' instances (200), previewed to 1.1.
    const previewServices = Array.from({ length: 10 }, (_, s) => `s${s}`);
    const p0 = performance.now();
    const preview = (await call('PreviewRollout', {
      templateName: 'f-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      selector: { services: previewServices },
    })) as { resources: Array<{ error?: string }> };
    const previewS = (performance.now() - p0) / 1000;
    const previewErrors = preview.resources.filter((r) => r.error).length;
    if (preview.resources.length !== previewServices.length * PER_SERVICE || previewErrors)
      throw new Error(`preview covered ${preview.resources.length} (${previewErrors} errors)`);

    // The 1,000-instance rollout.
    const r0 = performance.now();
    const window = startWindow();
    const { rollout } = (await call('StartRollout', {
      templateName: 'f-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      waves: 4,
      maxInFlight: 50,
      bakeSeconds: 0,
      autoRollback: true,
    })) as { rollout: { rolloutId: string; instances: unknown[] } };
    if (rollout.instances.length !== SERVICES * PER_SERVICE)
      throw new Error(`the rollout took ${rollout.instances.length} instances`);
    let status = 'IN_PROGRESS';
    while (status === 'IN_PROGRESS') {
      await new Promise((r) => setTimeout(r, 250));
      status = (
        (await call('GetRollout', { rolloutId: rollout.rolloutId })) as {
          rollout: { status: string };
        }
      ).rollout.status;
    }
    const rolloutS = (performance.now() - r0) / 1000;
    if (status !== 'SUCCEEDED') throw new Error(`the rollout ended ${status}`);
    const figures = window.end(SERVICES * PER_SERVICE);
    const databaseUrl = server.nucleon.config.databaseUrl!;
    const phases = await deploymentPhases(databaseUrl, window.startedAt);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    // Steps the driver took (each a job), and the wait between a wave's last deployment ending
    // and the next wave's first starting.
    const steps = await db.query<{ n: string }>(
      'select tick_seq as n from rollouts where id = $1',
      [rollout.rolloutId],
    );
    const gaps = await db.query<{ gap_ms: string }>(
      `with w as (
         select i.wave, min(d.created_at) as first_start, max(d.completed_at) as last_end
         from rollout_instances i join deployments d on d.id = i.deployment_id
         where i.rollout_id = $1 group by i.wave)
       select extract(epoch from (b.first_start - a.last_end)) * 1000 as gap_ms
       from w a join w b on b.wave = a.wave + 1 order by a.wave`,
      [rollout.rolloutId],
    );
    await db.end();
    const result = {
      name: 'fleet',
      database: 'postgres',
      worker_concurrency: 8,
      targets: { thousand_instance_rollout_s: 90 },
      fleet_setup_s: Number(fleetSetupS.toFixed(1)),
      preview_instances: preview.resources.length,
      preview_s: Number(previewS.toFixed(2)),
      preview_renders_per_s: Number((preview.resources.length / previewS).toFixed(1)),
      thousand_instance_rollout: {
        instances: SERVICES * PER_SERVICE,
        waves: 4,
        max_in_flight: 50,
        seconds: Number(rolloutS.toFixed(1)),
        driver_steps: Number(steps.rows[0]?.n ?? 0),
        wave_switch_gaps_ms: gaps.rows.map((g) => Math.round(Number(g.gap_ms))),
        ...figures,
        phases,
      },
    };
    process.stderr.write(
      `fleet: 1,000-instance rollout (max in flight 50) ${result.thousand_instance_rollout.seconds} s, ` +
        `${figures.sql_round_trips_per_unit} SQL round trips and ${figures.cpu_ms_per_unit} CPU ms per instance, ` +
        `${String(phases.mean_in_flight)} deployments in flight on average; load ${figures.load_average.before} → ${figures.load_average.after}\n`,
    );
    return result;
  } finally {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}
