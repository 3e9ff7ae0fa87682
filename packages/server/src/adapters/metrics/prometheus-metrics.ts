import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/schema.js';

/** What the metrics read when scraped (so a scrape always shows the current figures). */
export interface MetricsSources {
  db: Kysely<Database>;
  /** The job worker in this process: running jobs and its concurrency limit (0 on `nucleon server`). */
  worker(): { active: number; concurrency: number };
  /** The PostgreSQL pool's connections; undefined with the embedded database. */
  pool(): { total: number; idle: number; waiting: number; max: number } | undefined;
}

interface QueueRow {
  queue: string;
  state: string;
  n: number;
  oldest: number | null;
}

async function readQueue(db: Kysely<Database>): Promise<QueueRow[]> {
  const result = await sql<QueueRow>`
    select queue,
      case when locked_until is not null and locked_until >= now() then 'running'
           when run_at > now() then 'delayed' else 'ready' end as state,
      count(*)::int as n,
      extract(epoch from now() - min(created_at))::float8 as oldest
    from jobs
    where attempts < max_attempts or (locked_until is not null and locked_until >= now())
    group by 1, 2`.execute(db);
  return result.rows;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DEPLOY_SECONDS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Nucleon's Prometheus metrics (prom-client), one registry per process. Counters and histograms
 * are this process's (sum them across replicas); the queue gauges are read from the database at
 * scrape time and are the same on every replica (take max, not sum).
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly requestSeconds: Histogram<'operation' | 'outcome'>;
  /** The labelled series of each operation and outcome, looked up once (not hashed per call). */
  private readonly requestSeries = new Map<
    string,
    { count: { inc(): void }; seconds: { observe(value: number): void } }
  >();
  private readonly deployments: Counter<'engine' | 'result'>;
  private readonly deploymentSeconds: Histogram<'engine' | 'result'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'nucleon_' });
    this.requests = new Counter({
      name: 'nucleon_api_requests_total',
      help: 'API calls by operation and outcome (Success or the error type).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'nucleon_api_request_duration_seconds',
      help: 'API call latency by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: SECONDS,
      registers,
    });
    this.deployments = new Counter({
      name: 'nucleon_deployments_total',
      help: 'Deployments that ended in this process, by engine and final status.',
      labelNames: ['engine', 'result'],
      registers,
    });
    this.deploymentSeconds = new Histogram({
      name: 'nucleon_deployment_duration_seconds',
      help: 'From a deployment being created to its end, by engine and final status.',
      labelNames: ['engine', 'result'],
      buckets: DEPLOY_SECONDS,
      registers,
    });
    // One query per scrape feeds both queue gauges (each collects on its own).
    let pending: Promise<QueueRow[]> | undefined;
    const queueRows = () => {
      pending ??= readQueue(sources.db).finally(() => {
        setImmediate(() => (pending = undefined));
      });
      return pending;
    };
    new Gauge({
      name: 'nucleon_queue_depth',
      help: 'Jobs by queue and state (ready: waiting for a worker; running: leased; delayed: retry later).',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const rows = await queueRows();
        this.reset();
        for (const r of rows) this.set({ queue: r.queue, state: r.state }, Number(r.n));
      },
    });
    new Gauge({
      name: 'nucleon_queue_oldest_job_age_seconds',
      help: 'Age of the oldest job ready to run and not claimed, by queue (absent when none).',
      labelNames: ['queue'],
      registers,
      async collect() {
        const rows = await queueRows();
        this.reset();
        for (const r of rows)
          if (r.state === 'ready') this.set({ queue: r.queue }, Math.max(0, Number(r.oldest ?? 0)));
      },
    });
    new Gauge({
      name: 'nucleon_runner_active_jobs',
      help: 'Jobs (deployments, registrations, syncs) this process is running now.',
      registers,
      collect() {
        this.set(sources.worker().active);
      },
    });
    new Gauge({
      name: 'nucleon_runner_concurrency',
      help: 'Jobs this process may run at once (NUCLEON_WORKER_CONCURRENCY; 0 on nucleon server).',
      registers,
      collect() {
        this.set(sources.worker().concurrency);
      },
    });
    new Gauge({
      name: 'nucleon_db_pool_connections',
      help: 'PostgreSQL pool connections by state (total, idle, waiting clients, max); absent on the embedded database.',
      labelNames: ['state'],
      registers,
      collect() {
        const p = sources.pool();
        this.reset();
        if (!p) return;
        for (const [state, n] of Object.entries(p)) this.set({ state }, n);
      },
    });
  }

  /** One API call ended (`outcome` is `Success` or the Proton error type). */
  observeRequest(operation: string, outcome: string, seconds: number): void {
    const key = `${operation}\u0000${outcome}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = {
        count: this.requests.labels({ operation, outcome }),
        seconds: this.requestSeconds.labels({ operation, outcome }),
      };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.seconds.observe(seconds);
  }

  /** One deployment reached a final status. */
  observeDeployment(engine: string, result: string, seconds: number): void {
    this.deployments.inc({ engine, result });
    this.deploymentSeconds.observe({ engine, result }, Math.max(0, seconds));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
