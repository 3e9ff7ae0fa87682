import { chmodSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { coerceError, type Logger } from '@nucleon/core';
import { SecretBox } from '../adapters/auth/secret-box.js';
import { beginSigV4 } from '../adapters/auth/sigv4-verifier.js';
import { TemplateBundleChecker } from '../adapters/bundles/template-bundle-checker.js';
import { StoreThenS3BundleSource } from '../adapters/bundles/store-then-s3-bundle-source.js';
import { DataDirLock } from '../adapters/data-dir-lock.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../adapters/db/database.js';
import { PostgresAccessKeyStore } from '../adapters/db/postgres-access-key-store.js';
import { PostgresBundleStore } from '../adapters/db/postgres-bundle-store.js';
import { PostgresCatalogStore } from '../adapters/db/postgres-catalog-store.js';
import {
  PostgresConsoleSessions,
  PostgresSignInThrottle,
} from '../adapters/db/postgres-console-sessions.js';
import { createPinoLogger } from '../adapters/pino-logger.js';
import { PostgresJobQueue } from '../adapters/queue/postgres-job-queue.js';
import { AccessKeysService } from '../app/access-keys-service.js';
import { BundlesService } from '../app/bundles-service.js';
import { registrationJobs } from '../app/register-template-version.js';
import { TagsService } from '../app/tags-service.js';
import { REGISTRATION_QUEUE, TemplatesService } from '../app/templates-service.js';
import { VersionUsage } from '../app/version-usage.js';
import { DEPLOY_QUEUE } from '../app/deploy/plan-deployment.js';
import { RECONCILE_SERVICE_QUEUE } from '../ports/deployment-store.js';
import { ROLLOUT_QUEUE } from '../ports/rollout-store.js';
import { DRIFT_SCAN_QUEUE } from '../ports/drift-schedule-store.js';
import { EVENT_DELIVERY_QUEUE } from '../ports/event-store.js';
import { EVENT_PRUNE_QUEUE } from '../app/events/event-prune-job.js';
import { DeferredUsageCounter, startHostProbes, wireDeployments } from './wire-deployments.js';
import type { JobHandler } from '../ports/job-queue.js';
import { accessKeyOperations } from '../http/access-key-operations.js';
import { accessControlOperations } from '../http/access-control-operations.js';
import { AccessGuard } from '../http/access-guard.js';
import { operationAccess } from '../http/operation-access.js';
import { hashPassword, verifyPassword } from '../adapters/auth/password-hash.js';
import { PostgresAuditLog } from '../adapters/db/postgres-audit-log.js';
import { PostgresResourceFacts } from '../adapters/db/postgres-resource-facts.js';
import { PostgresUserStore } from '../adapters/db/postgres-user-store.js';
import { AccessControlService } from '../app/access/access-control-service.js';
import { catalogOperations } from '../http/catalog-operations.js';
import { createHttpApp } from '../http/create-http-app.js';
import { mountWebhookRoutes } from '../http/webhook-routes.js';
import { wireSync } from './wire-sync.js';
import { listenForOps, wireObservability, type OpsListener } from './wire-observability.js';
import { wireTracing } from './wire-tracing.js';
import { careOperations } from '../http/care-operations.js';
import { exportDatabase } from '../care/backup.js';
import { mountConsoleRoutes } from '../http/console-routes.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { systemClock } from '../ports/clock.js';
import { JobWorker } from '../worker/job-worker.js';
import {
  ensureRootKey,
  loadAccountId,
  loadMasterKey,
  type RootKeyOutcome,
} from './bootstrap-secrets.js';
import { bundleLimitsOf, redactConfig, type NucleonConfig } from './config.js';
import type { NucleonRole } from './roles.js';
import { createHealthApp } from './health-app.js';
import { installProcessGuards } from './process-guards.js';
import { checkMasterKey, roleOf, RolesNeedPostgresError, withBootstrapLock } from './roles.js';

export interface Nucleon {
  readonly config: NucleonConfig;
  readonly accountId: string;
  readonly rootKey: RootKeyOutcome;
  readonly keys: AccessKeysService;
  readonly database: DatabaseHandle;
  /** Which parts this process runs (`nucleon up`, `nucleon server`, `nucleon worker`). */
  readonly role: NucleonRole;
  /** Starts the HTTP server (and the worker); resolves with the bound URL. */
  start(): Promise<{ url: string; port: number; metricsUrl?: string }>;
  /**
   * Graceful stop: no new jobs are claimed; in-flight requests and jobs get NUCLEON_SHUTDOWN_GRACE_MS
   * to finish, then jobs still running are aborted and handed back; then the database closes.
   */
  stop(): Promise<void>;
}

export interface CreateNucleonOptions {
  logger?: Logger;
  /** Run the job worker in this process (`nucleon up`, `nucleon worker`). */
  worker?: boolean;
  /** Serve HTTP (`nucleon up`, `nucleon server`). */
  http?: boolean;
  /** The process entry: log unhandled rejections instead of dying (see process-guards.ts). */
  processGuards?: boolean;
  /** Sees the SQL text of every query (tests of what list paths read; ADR 0029). */
  onQuery?: (sql: string) => void;
}

/** The one composition root: config → logger → database → adapters → app → http and worker. */
export async function createNucleon(
  config: NucleonConfig,
  options: CreateNucleonOptions = {},
): Promise<Nucleon> {
  const logger =
    options.logger ?? createPinoLogger(config.logLevel, { service: 'nucleon' }, config.logFormat);
  logger.info('configuration', redactConfig(config));
  // Milliseconds since this call at the end of each start-up phase, logged once listening (with
  // the process's own age, which adds the module loading before it).
  const began = performance.now();
  const phases: Record<string, number> = {};
  const phaseDone = (name: string): void => {
    phases[name] = Math.round(performance.now() - began);
  };
  const role = roleOf(options);
  // Several processes cannot share an embedded database (stack-findings §1): a worker-only process
  // needs PostgreSQL. (`nucleon server` refuses PGlite in the CLI; in process, an API-only
  // Nucleon on the embedded database is a server whose worker is down, as tests use it.)
  if (role === 'worker' && !config.databaseUrl) throw new RolesNeedPostgresError(role);
  // Before anything is opened: a bad OTEL_* setting stops the start with nothing to undo.
  const tracer = wireTracing(config, logger.child({ component: 'tracing' }), role);
  const unguard = options.processGuards ? installProcessGuards(logger) : undefined;
  // Only the server's user may enter the data dir (keys, credentials, database, state).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const lock = config.databaseUrl ? undefined : DataDirLock.acquire(config.dataDir);
  let database: DatabaseHandle | undefined;
  try {
    // Child processes that need no database: they run while it opens and migrates.
    const probes = startHostProbes(config);
    const masterKey = loadMasterKey(config.dataDir, config.masterKey);
    const box = new SecretBox(masterKey);
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
      onQuery: options.onQuery,
      onConnectionError: (error) =>
        logger.warn('database connection lost; it is replaced on next use', {
          error: error.message,
        }),
    });
    phaseDone('database_open');
    const opened = database;
    const db = database.db;
    const dbKind = database.kind;
    const clock = systemClock;
    // Replicas starting together take turns at the schema and the first-start secrets.
    const { accountId, rootKey, keys } = await withBootstrapLock(config.databaseUrl, async () => {
      await migrateToLatest(db);
      await checkMasterKey(db, box, config.dataDir);
      const keys = new AccessKeysService(new PostgresAccessKeyStore(db, box), clock);
      return {
        keys,
        accountId: await loadAccountId(db, config.accountId),
        rootKey: await ensureRootKey(keys, config.dataDir, {
          accessKeyId: config.rootAccessKeyId,
          secretAccessKey: config.rootSecretAccessKey,
        }),
      };
    });
    phaseDone('schema_and_secrets');
    // Another replica deleted or changed a key: forget it here too (and everything after a reconnect).
    await opened.notifications.listen(
      'nucleon_access_keys',
      (accessKeyId) => keys.forget([accessKeyId]),
      () => keys.forgetAll(),
    );
    const arnScope = { region: config.region, accountId };

    const catalogStore = new PostgresCatalogStore(db);
    const usageCounter = new DeferredUsageCounter();
    const bundleStore = new PostgresBundleStore(db);
    const queue = new PostgresJobQueue(db);
    const templates = new TemplatesService({
      store: catalogStore,
      clock,
      arnScope,
      limits: {
        maxTemplates: config.maxTemplates,
        maxVersionsPerTemplate: config.maxVersionsPerTemplate,
      },
      usage: new VersionUsage(usageCounter),
    });
    const tags = new TagsService(catalogStore, arnScope);
    const bundleLimits = bundleLimitsOf(config);
    const bundles = new BundlesService(bundleStore, config.bundleBucket, bundleLimits);

    const sync = wireSync({
      config,
      db,
      box,
      catalogStore,
      bundleStore,
      templates,
      queue,
      clock,
      arnScope,
      logger,
      poke: () => worker.poke(),
      endpoint: () => publicUrl,
    });
    const handlers: Record<string, JobHandler> = {};
    const worker = JobWorker.create({
      queue,
      logger: logger.child({ component: 'worker' }),
      concurrency: options.worker === false ? 0 : config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
      graceMs: config.shutdownGraceMs,
      handlers: {
        [DEPLOY_QUEUE]: {
          run: (job, signal) => handlers[DEPLOY_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[DEPLOY_QUEUE]!.exhausted(job),
        },
        [RECONCILE_SERVICE_QUEUE]: {
          run: (job, signal) => handlers[RECONCILE_SERVICE_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[RECONCILE_SERVICE_QUEUE]!.exhausted(job),
        },
        [ROLLOUT_QUEUE]: {
          run: (job, signal) => handlers[ROLLOUT_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[ROLLOUT_QUEUE]!.exhausted(job),
        },
        // Events and scheduled drift (ADR 0023).
        [EVENT_DELIVERY_QUEUE]: {
          run: (job, signal) => handlers[EVENT_DELIVERY_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[EVENT_DELIVERY_QUEUE]!.exhausted(job),
        },
        [DRIFT_SCAN_QUEUE]: {
          run: (job, signal) => handlers[DRIFT_SCAN_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[DRIFT_SCAN_QUEUE]!.exhausted(job),
        },
        [EVENT_PRUNE_QUEUE]: {
          run: (job, signal) => handlers[EVENT_PRUNE_QUEUE]!.run(job, signal),
          exhausted: (job) => handlers[EVENT_PRUNE_QUEUE]!.exhausted(job),
        },
        ...sync.handlers,
        [REGISTRATION_QUEUE]: sync.settleAfter(
          registrationJobs({
            store: catalogStore,
            bundles: bundleStore,
            source: new StoreThenS3BundleSource(
              bundleStore,
              config.region,
              bundleLimits.maxArchiveBytes,
              config.s3ForcePathStyle,
            ),
            checker: new TemplateBundleChecker(bundleLimits),
            templates,
            clock,
            logger,
          }),
        ),
      },
    });

    let publicUrl = config.publicUrl ?? '';
    const deploy = await wireDeployments({
      config,
      db,
      catalogStore,
      bundleStore,
      keys,
      box,
      clock,
      arnScope,
      accountId,
      logger,
      poke: () => worker.poke(),
      endpoint: () => publicUrl,
      probes,
    });
    phaseDone('deployments_wired');
    usageCounter.current = deploy.usage;
    tags.register('environment', deploy.resolvers.environment);
    tags.register('service', deploy.resolvers.service);
    tags.register('component', deploy.resolvers.component);
    tags.register('environment-account-connection', deploy.resolvers.connection);
    const audit = new PostgresAuditLog(db);
    const access = new AccessControlService({
      users: new PostgresUserStore(db),
      keys,
      passwords: { hash: hashPassword, verify: verifyPassword },
      accountId,
    });
    const operations = new Map([
      ...catalogOperations({ templates, tags, bundles }),
      ...accessKeyOperations(access),
      ...accessControlOperations({ access, audit, rules: operationAccess, accountId }),
      ...sync.withServices(deploy),
      ...sync.operations,
      ...careOperations(() => exportDatabase(db, dbKind, masterKey)),
    ]);
    const guard = new AccessGuard({
      rules: operationAccess,
      access,
      facts: new PostgresResourceFacts(db),
      audit,
      arnScope,
      logger: logger.child({ component: 'access' }),
    });
    const observability = wireObservability({
      database,
      worker,
      runsWorker: options.worker !== false,
      workerSilenceMs: Math.max(config.jobLeaseMs, 10_000),
      logger,
      tracer,
    });
    const rateLimiter = new RateLimiter({
      clock,
      ratePerSecond: config.rateLimitRps,
      burst: config.rateLimitBurst,
    });
    const { app, nodeApi } = createHttpApp({
      operations,
      guard,
      logger: logger.child({ component: 'http' }),
      maxRequestBytes: config.maxRequestBytes,
      maxBodyBytes: config.maxBodyBytes,
      strictWire: config.strictWire,
      mount: (app, dispatch) => {
        mountWebhookRoutes(app, {
          sync: sync.repositories,
          maxBodyBytes: config.maxRequestBytes,
          logger: logger.child({ component: 'webhooks' }),
        });
        mountConsoleRoutes(app, {
          dispatch,
          keys,
          access,
          clock,
          logger,
          maxRequestBytes: config.maxRequestBytes,
          throttle: (accessKeyId) => rateLimiter.take(accessKeyId),
          // In the database: a session opened on one replica works on all of them (ADR 0025).
          sessions: new PostgresConsoleSessions(db, clock),
          signIns: new PostgresSignInThrottle(db, clock),
        });
      },
      ready: () => observability.ready(),
      tracer: observability.tracer,
      observe: (operation, outcome, seconds) =>
        observability.metrics.observeRequest(operation, outcome, seconds),
      metrics: { scrape: () => observability.metrics.scrape(), token: config.metricsToken },
      authenticate: async (request) => {
        let record: Awaited<ReturnType<typeof keys.lookup>>;
        const pending = await beginSigV4(
          request,
          async (id) => {
            record = await keys.lookup(id);
            return record
              ? {
                  accessKeyId: record.accessKeyId,
                  secretAccessKey: record.secretAccessKey,
                  sessionToken: record.sessionToken ?? undefined,
                }
              : undefined;
          },
          clock.now(),
        );
        // beginSigV4 only returns after the lookup found the key the request names.
        const principal = keys.principalOf(record!);
        return async (body) => {
          await pending.verify(body);
          // Only a request the key really signed spends its tokens (a forger cannot throttle the owner).
          rateLimiter.take(principal.accessKeyId);
          return principal;
        };
      },
    });

    handlers[DEPLOY_QUEUE] = observability.observeDeployments(deploy.handleDeployJob);
    handlers[RECONCILE_SERVICE_QUEUE] = deploy.handleReconcileJob;
    handlers[ROLLOUT_QUEUE] = deploy.handleRolloutJob;
    handlers[EVENT_DELIVERY_QUEUE] = deploy.handleEventJob;
    handlers[DRIFT_SCAN_QUEUE] = deploy.handleDriftScanJob;
    handlers[EVENT_PRUNE_QUEUE] = deploy.handleEventPruneJob;
    let server: Server | undefined;
    let opsListener: OpsListener | undefined;
    let purge: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const handle = database;
    return {
      config,
      role,
      accountId,
      rootKey,
      keys,
      database: handle,
      start: async () => {
        if (options.worker !== false) {
          // Jobs enqueued by any process wake this worker at once (the poll stays as a fallback).
          await handle.notifications.listen(
            'nucleon_jobs',
            () => worker.poke(),
            () => worker.poke(),
          );
          if (role === 'worker' && !config.publicUrl)
            logger.warn(
              'NUCLEON_PUBLIC_URL is not set: template commands run by this worker cannot reach the Nucleon API (AWS_ENDPOINT_URL_PROTON is empty). Set it to the servers’ address (e.g. the load balancer).',
            );
        }
        if (options.worker !== false) await deploy.scheduleDrift();
        if (options.worker !== false) await deploy.scheduleEventPruning();
        worker.start();
        if (options.worker !== false)
          purge = purgeCredentialsEvery(config.credentialPurgeMs, keys, logger);
        if (options.worker !== false) poll = sync.startPolling();
        const health = {
          ready: () => observability.ready(),
          metrics: { scrape: () => observability.metrics.scrape(), token: config.metricsToken },
        };
        if (config.metricsPort !== undefined)
          opsListener = await listenForOps(config.host, config.metricsPort, health);
        const metricsUrl = opsListener
          ? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${opsListener.port}`
          : undefined;
        // A worker serves HTTP only when given a health port, and then only health checks.
        const served = role === 'worker' ? createHealthApp(health) : app;
        if (role === 'worker' && config.healthPort === undefined)
          return { url: '', port: 0, ...(metricsUrl ? { metricsUrl } : {}) };
        const port = await new Promise<number>((resolve, reject) => {
          const hono = getRequestListener(served.fetch);
          // The signed API is answered on Node's own request and response (the hot path, ADR
          // 0024); everything else goes through Hono.
          const http = createServer(
            // A client gets this long to send its headers, and its whole request.
            { headersTimeout: config.headersTimeoutMs, requestTimeout: config.requestTimeoutMs },
            role === 'worker'
              ? hono
              : (req, res) => {
                  if (!nodeApi(req, res)) void hono(req, res);
                },
          );
          server = http;
          http.listen(role === 'worker' ? config.healthPort! : config.port, config.host, () =>
            resolve((http.address() as AddressInfo).port),
          );
          server.maxConnections = config.maxConnections;
          server.once('error', reject);
        });
        const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
        // A worker's health port is no API endpoint: its commands call NUCLEON_PUBLIC_URL.
        if (role !== 'worker') publicUrl = config.publicUrl ?? url;
        phaseDone('listening');
        logger.info(role === 'worker' ? 'health checks listening' : 'nucleon listening', {
          url,
          database: handle.kind,
          startup_ms: { ...phases, process: Math.round(process.uptime() * 1000) },
        });
        return { url, port, ...(metricsUrl ? { metricsUrl } : {}) };
      },
      stop: async () => {
        // The worker stops claiming at once and gives running jobs the same grace period as requests.
        const stopping = worker
          .stop()
          .catch((error: unknown) =>
            logger.error('the worker did not stop cleanly', { error: String(error) }),
          );
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }, config.shutdownGraceMs);
            s.close(() => {
              clearTimeout(timer);
              resolve();
            });
            (s as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          });
        }
        clearInterval(purge);
        clearInterval(poll);
        await opsListener?.close();
        await stopping;
        // The spans of the last requests and jobs go out before the process ends.
        await observability.tracer?.stop();
        await deploy.close();
        await handle.close();
        lock?.release();
        unguard?.();
      },
    };
  } catch (error) {
    await database?.close().catch(() => undefined);
    await tracer?.stop();
    lock?.release();
    unguard?.();
    throw error;
  }
}

/** Deletes expired scoped credentials and those of deployments that have ended, now and then every `everyMs`. */
function purgeCredentialsEvery(
  everyMs: number,
  keys: AccessKeysService,
  logger: Logger,
): NodeJS.Timeout {
  const purge = () => {
    keys.purgeScoped().then(
      (n) => {
        if (n > 0) logger.info('purged scoped credentials', { count: n });
      },
      (error: unknown) =>
        logger.warn('could not purge scoped credentials; will try again', {
          error: coerceError(error).message,
        }),
    );
  };
  purge();
  const timer = setInterval(purge, everyMs);
  timer.unref();
  return timer;
}
