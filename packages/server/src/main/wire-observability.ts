import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { coerceError, type Logger } from '@nucleon/core';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { pendingMigrations, type DatabaseHandle } from '../adapters/db/database.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { mountHealthRoutes, type HttpAppOptions } from '../http/create-http-app.js';
import type { JobHandler } from '../ports/job-queue.js';
import type { Span, Tracer } from '../ports/tracer.js';
import type { JobWorker } from '../worker/job-worker.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETE_COMPLETE', 'DELETE_FAILED']);

/** Metrics and readiness of one process (ADR 0027). */
export interface Observability {
  metrics: PrometheusMetrics;
  /** `/readyz`: database reachable, migrations current, this process's worker loop turning. */
  ready(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  /** Spans of API calls and deployment jobs, when OTEL_* turns tracing on (ADR 0027). */
  tracer: Tracer | undefined;
  /**
   * The deploy job handler, observing each deployment that ends (engine, status, duration) and,
   * with tracing on, an INTERNAL span per job run.
   */
  observeDeployments(handler: JobHandler): JobHandler;
}

export function wireObservability(w: {
  database: DatabaseHandle;
  worker: JobWorker;
  /** Does this process claim jobs (`nucleon up`, `nucleon worker`)? */
  runsWorker: boolean;
  /** How long the claim loop may stay silent before /readyz fails. */
  workerSilenceMs: number;
  logger: Logger;
  tracer?: Tracer | undefined;
}): Observability {
  const tracer = w.tracer;
  const db = w.database.db;
  const metrics = new PrometheusMetrics({
    db,
    worker: () => ({
      active: w.worker.activeJobs,
      concurrency: w.runsWorker ? w.worker.concurrency : 0,
    }),
    pool: () => w.database.poolStats?.(),
  });

  /** Counts a deployment that has ended and gives its span the outcome. */
  const observeEnd = async (deploymentId: unknown, span: Span | undefined, counted: boolean) => {
    if (typeof deploymentId !== 'string') return;
    try {
      const row = await db
        .selectFrom('deployments')
        .select(['engine', 'status', 'created_at', 'completed_at'])
        .where('id', '=', deploymentId)
        .executeTakeFirst();
      if (!row) return;
      span?.setAttribute('nucleon.deployment.engine', row.engine);
      span?.setAttribute('nucleon.deployment.status', row.status);
      if (span && (row.status === 'FAILED' || row.status === 'DELETE_FAILED'))
        span.fail(`the deployment ended ${row.status}`);
      if (!counted || !row.completed_at || !TERMINAL.has(row.status)) return;
      const seconds =
        (new Date(row.completed_at).getTime() - new Date(row.created_at).getTime()) / 1000;
      metrics.observeDeployment(row.engine, row.status, seconds);
    } catch (error) {
      w.logger.debug('could not read a deployment for its metrics', {
        deploymentId,
        error: coerceError(error).message,
      });
    }
  };
  const startSpan = (name: string, deploymentId: unknown) =>
    tracer?.startSpan(name, {
      kind: 'internal',
      attributes: typeof deploymentId === 'string' ? { 'nucleon.deployment.id': deploymentId } : {},
    });
  const traced = async <T>(
    name: string,
    deploymentId: unknown,
    work: () => Promise<T>,
    after: (span: Span | undefined) => Promise<void>,
  ): Promise<T> => {
    const span = startSpan(name, deploymentId);
    try {
      return await work();
    } catch (error) {
      span?.fail(coerceError(error).message);
      throw error;
    } finally {
      await after(span);
      span?.end();
    }
  };

  return {
    metrics,
    tracer,
    observeDeployments: (handler) => ({
      run: (job, signal) =>
        traced(
          'deployment',
          job.payload.deploymentId,
          () => handler.run(job, signal),
          async (span) => {
            // Stopped by a shutdown: handed back to the queue, not ended.
            if (signal.aborted) span?.setAttribute('nucleon.job.interrupted', true);
            if (!signal.aborted || span)
              await observeEnd(job.payload.deploymentId, span, !signal.aborted);
          },
        ),
      exhausted: (job) =>
        traced(
          'deployment exhausted',
          job.payload.deploymentId,
          () => handler.exhausted(job),
          (span) => observeEnd(job.payload.deploymentId, span, true),
        ),
    }),
    ready: async () => {
      const checks: Record<string, string> = {};
      const database = await withinSeconds(5, sql`select 1`.execute(db));
      checks.database = database.ok ? 'ok' : `unreachable: ${database.error}`;
      if (database.ok) {
        const pending = await withinSeconds(5, pendingMigrations(db));
        checks.migrations = !pending.ok
          ? `could not be read: ${pending.error}`
          : pending.value.length === 0
            ? 'ok'
            : `pending: ${pending.value.join(', ')} (start one \`nucleon up\` or \`nucleon server\` of this version to apply them)`;
      }
      if (w.runsWorker)
        checks.worker = w.worker.alive(w.workerSilenceMs)
          ? 'ok'
          : `the job loop has not turned for more than ${w.workerSilenceMs} ms`;
      return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
    },
  };
}

async function withinSeconds<T>(
  seconds: number,
  work: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; error: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: `no answer within ${seconds} s` }),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([
      work.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error: coerceError(error).message }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The health-and-metrics listener of NUCLEON_METRICS_PORT (workers have no API port). */
export interface OpsListener {
  port: number;
  close(): Promise<void>;
}

export async function listenForOps(
  host: string,
  port: number,
  options: Pick<HttpAppOptions, 'ready' | 'metrics'>,
): Promise<OpsListener> {
  const app = mountHealthRoutes(new Hono(), options);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      }),
    );
    server.once('error', reject);
  });
}
