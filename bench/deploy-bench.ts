/**
 * Deployment benchmarks on PostgreSQL: the overhead Nucleon adds to a deployment (from
 * UpdateServiceInstance to SUCCEEDED for a CodeBuild template whose provision is `true`, next to
 * running `bash -c true` directly), and 1,000 instance deployments end to end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetServiceInstanceCommand,
  ListServicesCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, startTestWorker } from '@nucleon/test-utils';
import { countSqlRoundTrips, deploymentPhases, pct, startWindow } from './measure.js';

function bundle(kind: 'env' | 'svc'): string {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-bundle-'));
  const infra = kind === 'env' ? 'infrastructure' : 'instance_infrastructure';
  mkdirSync(join(dir, 'schema'));
  mkdirSync(join(dir, infra));
  writeFileSync(
    join(dir, 'schema/schema.yaml'),
    `schema:\n  format:\n    openapi: "3.0.0"\n  ${kind === 'env' ? 'environment' : 'service'}_input_type: "I"\n  types:\n    I:\n      type: object\n      properties:\n        n:\n          type: number\n          default: 0\n`,
  );
  writeFileSync(
    join(dir, infra, 'manifest.yaml'),
    'infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision:\n          - "true"\n        deprovision:\n          - "true"\n',
  );
  return execFileSync('tar', ['-czf', '-', '-C', dir, '.']).toString('base64');
}

/**
 * `one-process`: `nucleon up`. `server-and-worker`: an API server and a separate worker on one
 * PostgreSQL (`nucleon server` + `nucleon worker`), where the worker learns of new jobs by
 * LISTEN/NOTIFY (ADR 0025).
 */
export async function deployBench(
  roles: 'one-process' | 'server-and-worker' = 'one-process',
): Promise<Record<string, unknown>> {
  const env = { NUCLEON_WORKER_CONCURRENCY: '8', NUCLEON_LOG_LEVEL: 'silent' };
  countSqlRoundTrips();
  const server = await startTestServer({
    dialect: 'postgres',
    env,
    worker: roles === 'one-process',
  });
  const worker = roles === 'server-and-worker' ? await startTestWorker(server, env) : undefined;
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
    const push = async (key: string, content: string) =>
      (
        (await own.send(`${extensionTargetPrefix}.PutBundle`, { key, content })) as {
          s3: { bucket: string; key: string };
        }
      ).s3;
    const w = { client: sdk, maxWaitTime: 120, minDelay: 1, maxDelay: 1 };
    await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'b-env' }));
    await sdk.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'b-env',
        source: { s3: await push('b-env', bundle('env')) },
      }),
    );
    await waitUntilEnvironmentTemplateVersionRegistered(w, {
      templateName: 'b-env',
      majorVersion: '1',
      minorVersion: '0',
    });
    await sdk.send(
      new UpdateEnvironmentTemplateVersionCommand({
        templateName: 'b-env',
        majorVersion: '1',
        minorVersion: '0',
        status: 'PUBLISHED',
      }),
    );
    await sdk.send(
      new CreateServiceTemplateCommand({ name: 'b-svc', pipelineProvisioning: 'CUSTOMER_MANAGED' }),
    );
    await sdk.send(
      new CreateServiceTemplateVersionCommand({
        templateName: 'b-svc',
        source: { s3: await push('b-svc', bundle('svc')) },
        compatibleEnvironmentTemplates: [{ templateName: 'b-env', majorVersion: '1' }],
      }),
    );
    await waitUntilServiceTemplateVersionRegistered(w, {
      templateName: 'b-svc',
      majorVersion: '1',
      minorVersion: '0',
    });
    await sdk.send(
      new UpdateServiceTemplateVersionCommand({
        templateName: 'b-svc',
        majorVersion: '1',
        minorVersion: '0',
        status: 'PUBLISHED',
      }),
    );
    await sdk.send(
      new CreateEnvironmentCommand({
        name: 'bench',
        templateName: 'b-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w, { name: 'bench' });
    const spec = (names: string[]) =>
      `proton: ServiceSpec\ninstances:\n${names.map((n) => `  - name: ${n}\n    environment: bench\n    spec: {}\n`).join('')}`;
    await sdk.send(
      new CreateServiceCommand({
        name: 'one',
        templateName: 'b-svc',
        templateMajorVersion: '1',
        spec: spec(['i0']),
      }),
    );
    await waitUntilServiceCreated(w, { name: 'one' });

    // Overhead of one deployment, against running the same command directly.
    const databaseUrl = server.nucleon.config.databaseUrl!;
    const overhead: number[] = [];
    const one = startWindow();
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await sdk.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'one',
          name: 'i0',
          deploymentType: 'CURRENT_VERSION',
        }),
      );
      for (;;) {
        const s = (
          await sdk.send(new GetServiceInstanceCommand({ serviceName: 'one', name: 'i0' }))
        ).serviceInstance?.deploymentStatus;
        if (s === 'SUCCEEDED') break;
        if (s === 'FAILED') throw new Error('bench deployment failed');
        await new Promise((r) => setTimeout(r, 5));
      }
      overhead.push(performance.now() - t0);
    }
    // Includes the client's polling GetServiceInstance every 5 ms: an upper bound for the server.
    const oneFigures = one.end(overhead.length);
    const onePhases = await deploymentPhases(databaseUrl, one.startedAt);
    const direct: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      spawnSync('bash', ['-c', 'true']);
      direct.push(performance.now() - t0);
    }

    // 1,000 instance deployments: 50 services of 20 instances.
    const t0 = performance.now();
    const many = startWindow();
    for (let s = 0; s < 50; s++) {
      await sdk.send(
        new CreateServiceCommand({
          name: `s${s}`,
          templateName: 'b-svc',
          templateMajorVersion: '1',
          spec: spec(Array.from({ length: 20 }, (_, i) => `i${i}`)),
        }),
      );
    }
    for (;;) {
      const services = [];
      let token: string | undefined;
      do {
        const page = await sdk.send(new ListServicesCommand({ nextToken: token }));
        services.push(...(page.services ?? []));
        token = page.nextToken;
      } while (token);
      const done = services.filter((x) => x.name !== 'one' && x.status !== 'CREATE_IN_PROGRESS');
      if (done.length === 50) {
        const failed = done.filter((x) => x.status !== 'ACTIVE').length;
        if (failed) throw new Error(`${failed} services failed`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const thousand = performance.now() - t0;
    const manyFigures = many.end(1000);
    const manyPhases = await deploymentPhases(databaseUrl, many.startedAt);
    const commandMs = pct(direct, 50);
    const net = overhead.map((x) => x - commandMs);
    const result = {
      name: roles === 'one-process' ? 'deployments' : 'deployments (server + worker)',
      database: 'postgres',
      roles,
      worker_concurrency: 8,
      targets: { overhead_median_ms: 100, thousand_deployments_s: 60 },
      // UpdateServiceInstance → SUCCEEDED seen by the client, minus the command run directly.
      overhead_ms: { median: pct(net, 50), p95: pct(net, 95), samples: net.length },
      end_to_end_ms: { median: pct(overhead, 50), p95: pct(overhead, 95) },
      direct_command_ms: { median: commandMs, p95: pct(direct, 95) },
      one_deployment: { ...oneFigures, phases: onePhases },
      thousand_deployments_s: Number((thousand / 1000).toFixed(1)),
      thousand_deployments: { ...manyFigures, phases: manyPhases },
    };
    process.stderr.write(
      `deployments (${roles}): overhead median ${result.overhead_ms.median} ms, p95 ${result.overhead_ms.p95} ms ` +
        `(${oneFigures.sql_round_trips_per_unit} SQL round trips, ${oneFigures.cpu_ms_per_unit} CPU ms per deployment); ` +
        `1,000 deployments ${result.thousand_deployments_s} s (${manyFigures.sql_round_trips_per_unit} SQL, ` +
        `${manyFigures.cpu_ms_per_unit} CPU ms per deployment; load ${manyFigures.load_average.before} → ${manyFigures.load_average.after})\n`,
    );
    return result;
  } finally {
    await worker?.stop();
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}
