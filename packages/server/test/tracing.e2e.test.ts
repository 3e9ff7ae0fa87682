import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentsCommand,
  type ProtonClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-proton';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nucleon/core';
import { ConfigError, createNucleon, loadConfig } from '@nucleon/server';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

/** An OTLP/HTTP JSON span, as the collector receives it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status: { code: number; message?: string };
}

/** A local OTLP/HTTP collector: keeps every request's path, headers and JSON body. */
async function startCollector(status = 200) {
  const requests: Array<{
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: {
      resourceSpans: Array<{
        resource: { attributes: OtlpSpan['attributes'] };
        scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
      }>;
    };
  }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof requests)[0]['body'],
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const spans = () =>
    requests.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans[0]!.spans));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? v.intValue ?? v.boolValue) : undefined;
};

/** Sends a W3C traceparent with every call of this client (signed with the rest of the request). */
function withTraceparent(client: ProtonClient, traceparent: string): ProtonClient {
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers.traceparent = traceparent;
      return next(args);
    },
    { step: 'build', name: 'traceparent' },
  );
  return client;
}

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('OpenTelemetry traces over OTLP/HTTP JSON', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let server: TestServer;
  let proton: ProtonClient;

  beforeAll(async () => {
    collector = await startCollector();
    server = await startTestServer({
      dialect: 'pglite',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/otlp/`,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-token,x-tenant=platform',
        OTEL_SERVICE_NAME: 'nucleon-under-test',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'diag',
      fixture: 'env-codebuild-diag',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await collector?.close();
  });

  it('exports a SERVER span per call, continuing a traceparent, and a span per deployment', async () => {
    const missing = await proton
      .send(new GetEnvironmentCommand({ name: 'nowhere' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    const traced = withTraceparent(sdkClient(server), `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
    await traced.send(new ListEnvironmentsCommand({}));
    const created = await proton.send(
      new CreateEnvironmentCommand({
        name: 'traced',
        templateName: 'diag',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    const deploymentId = created.environment!.lastAttemptedDeploymentId!;
    const ended = await waitFor(
      async () => {
        const env = (await proton.send(new GetEnvironmentCommand({ name: 'traced' }))).environment!;
        return env.deploymentStatus === 'IN_PROGRESS' ? undefined : env;
      },
      { timeoutMs: 60_000, what: 'the deployment of traced to end' },
    );
    expect(ended.deploymentStatus).toBe('SUCCEEDED');

    const deployment = await waitFor(
      () =>
        Promise.resolve(
          collector.spans().find((s) => attr(s, 'nucleon.deployment.id') === deploymentId),
        ),
      { timeoutMs: 20_000, what: 'the deployment span to reach the collector' },
    );
    expect(deployment.name).toBe('deployment');
    expect(deployment.kind).toBe(1); // INTERNAL
    expect(attr(deployment, 'nucleon.deployment.engine')).toBe('codebuild');
    expect(attr(deployment, 'nucleon.deployment.status')).toBe('SUCCEEDED');
    expect(deployment.status.code).toBe(0);
    expect(BigInt(deployment.endTimeUnixNano)).toBeGreaterThan(
      BigInt(deployment.startTimeUnixNano),
    );

    // Every request reached the path, with the configured headers, as JSON.
    const request = collector.requests[0]!;
    expect(request.path).toBe('/otlp/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer collector-token');
    expect(request.headers['x-tenant']).toBe('platform');
    const resource = request.body.resourceSpans[0]!.resource.attributes;
    expect(resource).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'nucleon-under-test' },
    });
    expect(request.body.resourceSpans[0]!.scopeSpans[0]!.scope.name).toBe('nucleon');

    const spans = collector.spans();
    const failed = spans.find(
      (s) => s.name === 'GetEnvironment' && attr(s, 'error.type') === 'ResourceNotFoundException',
    );
    expect(failed).toBeDefined();
    expect(failed!.kind).toBe(2); // SERVER
    expect(failed!.status.code).toBe(2);
    expect(failed!.status.message).toMatch(/^ResourceNotFoundException: /);
    expect(attr(failed!, 'rpc.system')).toBe('aws-api');
    expect(attr(failed!, 'rpc.service')).toBe('AwsProton20200720');
    expect(attr(failed!, 'rpc.method')).toBe('GetEnvironment');
    expect(attr(failed!, 'http.response.status_code')).toBe('404');
    expect(attr(failed!, 'aws.request_id')).toBe(
      (missing as ResourceNotFoundException).$metadata.requestId,
    );
    expect(failed!.parentSpanId).toBeUndefined();

    const listed = spans.find((s) => s.name === 'ListEnvironments');
    expect(listed).toBeDefined();
    expect(listed!.traceId).toBe(CALLER_TRACE);
    expect(listed!.parentSpanId).toBe(CALLER_SPAN);
    expect(listed!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(listed!.status.code).toBe(0);
    expect(attr(listed!, 'nucleon.outcome')).toBe('Success');

    const create = spans.find((s) => s.name === 'CreateEnvironment');
    expect(create).toBeDefined();
    expect(create!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(create!.traceId).not.toBe(CALLER_TRACE);
  });
});

describe('OpenTelemetry traces: sampling and the flush on stop', () => {
  it('keeps only sampled traces and sends what is queued when the server stops', async () => {
    const collector = await startCollector();
    const server = await startTestServer({
      dialect: 'pglite',
      env: {
        // A caller's sampled flag decides; new traces are not kept.
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/custom/traces`,
        OTEL_TRACES_SAMPLER: 'parentbased_always_off',
        // Nothing is sent before the stop.
        OTEL_BSP_SCHEDULE_DELAY: '3600000',
      },
    });
    try {
      await sdkClient(server).send(new ListEnvironmentsCommand({}));
      const sampled = withTraceparent(sdkClient(server), `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
      await sampled.send(new ListEnvironmentsCommand({}));
      const unsampled = withTraceparent(
        sdkClient(server),
        `00-${'1'.repeat(32)}-${CALLER_SPAN}-00`,
      );
      await unsampled.send(new ListEnvironmentsCommand({}));
      expect(collector.requests).toHaveLength(0);
    } finally {
      await server.stop();
    }
    expect(collector.requests.map((r) => r.path)).toEqual(['/custom/traces']);
    const spans = collector.spans();
    expect(spans.map((s) => [s.name, s.traceId])).toEqual([['ListEnvironments', CALLER_TRACE]]);
    await collector.close();
  });
});

describe('OpenTelemetry traces: a failing collector, settings refused', () => {
  it('answers every call while the collector fails its exports', async () => {
    const collector = await startCollector(503);
    const server = await startTestServer({
      dialect: 'pglite',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    try {
      const proton = sdkClient(server);
      for (let i = 0; i < 3; i++) {
        const out = await proton.send(new ListEnvironmentsCommand({}));
        expect(out.environments).toEqual([]);
        // Each export is attempted (and fails) before the next call.
        await waitFor(() => Promise.resolve(collector.spans().length > i || undefined), {
          timeoutMs: 10_000,
          what: 'an export attempt',
        });
      }
    } finally {
      await server.stop();
      await collector.close();
    }
  });

  it('refuses gRPC and malformed headers at start, naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-otel-'));
    const start = (env: Record<string, string>) =>
      createNucleon(
        loadConfig({
          NUCLEON_PORT: '0',
          NUCLEON_DATA_DIR: dataDir,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
          ...env,
        }),
        { logger: silentLogger },
      );
    try {
      const grpc = await start({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).catch((e: unknown) => e);
      expect(grpc).toBeInstanceOf(ConfigError);
      expect((grpc as Error).message).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: .*not gRPC.*4318/);
      const headers = await start({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }).catch(
        (e: unknown) => e,
      );
      expect(headers).toBeInstanceOf(ConfigError);
      expect((headers as Error).message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: "novalue" must be/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
