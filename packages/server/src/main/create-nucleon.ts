import { chmodSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '@nucleon/core';
import { sql } from 'kysely';
import { SecretBox } from '../adapters/auth/secret-box.js';
import { verifySigV4 } from '../adapters/auth/sigv4-verifier.js';
import { TemplateBundleChecker } from '../adapters/bundles/template-bundle-checker.js';
import { StoreThenS3BundleSource } from '../adapters/bundles/store-then-s3-bundle-source.js';
import { DataDirLock } from '../adapters/data-dir-lock.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../adapters/db/database.js';
import { PostgresAccessKeyStore } from '../adapters/db/postgres-access-key-store.js';
import { PostgresBundleStore } from '../adapters/db/postgres-bundle-store.js';
import { PostgresCatalogStore } from '../adapters/db/postgres-catalog-store.js';
import { createPinoLogger } from '../adapters/pino-logger.js';
import { PostgresJobQueue } from '../adapters/queue/postgres-job-queue.js';
import { AccessKeysService } from '../app/access-keys-service.js';
import { BundlesService, MAX_BUNDLE_BYTES } from '../app/bundles-service.js';
import { registerTemplateVersion, type RegistrationJob } from '../app/register-template-version.js';
import { TagsService } from '../app/tags-service.js';
import { REGISTRATION_QUEUE, TemplatesService } from '../app/templates-service.js';
import { VersionUsage } from '../app/version-usage.js';
import { DEPLOY_QUEUE } from '../app/deploy/plan-deployment.js';
import { DeferredUsageCounter, wireDeployments } from './wire-deployments.js';
import type { JobHandler } from '../worker/job-worker.js';
import { accessKeyOperations } from '../http/access-key-operations.js';
import { catalogOperations } from '../http/catalog-operations.js';
import { createHttpApp } from '../http/create-http-app.js';
import { mountConsoleRoutes } from '../http/console-routes.js';
import { systemClock } from '../ports/clock.js';
import { JobWorker } from '../worker/job-worker.js';
import { ensureRootKey, loadAccountId, loadMasterKey, type RootKeyOutcome } from './bootstrap-secrets.js';
import type { NucleonConfig } from './config.js';

export interface Nucleon {
  readonly config: NucleonConfig;
  readonly accountId: string;
  readonly rootKey: RootKeyOutcome;
  readonly keys: AccessKeysService;
  readonly database: DatabaseHandle;
  /** Starts the HTTP server (and the worker); resolves with the bound URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Graceful stop: in-flight requests and jobs finish, then the database closes. */
  stop(): Promise<void>;
}

export interface CreateNucleonOptions {
  logger?: Logger;
  /** Run the job worker in this process (`nucleon up`, `nucleon worker`). */
  worker?: boolean;
  /** Serve HTTP (`nucleon up`, `nucleon server`). */
  http?: boolean;
}

/** The one composition root: config → logger → database → adapters → app → http and worker. */
export async function createNucleon(config: NucleonConfig, options: CreateNucleonOptions = {}): Promise<Nucleon> {
  const logger = options.logger ?? createPinoLogger(config.logLevel, { service: 'nucleon' });
  // Only the server's user may enter the data dir (keys, credentials, database, state).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const lock = config.databaseUrl ? undefined : DataDirLock.acquire(config.dataDir);
  let database: DatabaseHandle | undefined;
  try {
    const box = new SecretBox(loadMasterKey(config.dataDir, config.masterKey));
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
    await migrateToLatest(database.db);
    const db = database.db;
    const clock = systemClock;
    const accountId = await loadAccountId(db, config.accountId);
    const arnScope = { region: config.region, accountId };

    const catalogStore = new PostgresCatalogStore(db);
    const usageCounter = new DeferredUsageCounter();
    const bundleStore = new PostgresBundleStore(db);
    const queue = new PostgresJobQueue(db);
    const keys = new AccessKeysService(new PostgresAccessKeyStore(db, box), clock);
    const templates = new TemplatesService({
      store: catalogStore,
      clock,
      arnScope,
      limits: { maxTemplates: config.maxTemplates, maxVersionsPerTemplate: config.maxVersionsPerTemplate },
      usage: new VersionUsage(usageCounter),
    });
    const tags = new TagsService(catalogStore, arnScope);
    const bundles = new BundlesService(bundleStore, config.bundleBucket);
    const rootKey = await ensureRootKey(keys, config.dataDir, { accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey });

    const handlers: Record<string, JobHandler> = {};
    const worker = JobWorker.create({
      queue,
      logger: logger.child({ component: 'worker' }),
      concurrency: options.worker === false ? 0 : config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
      handlers: {
        [DEPLOY_QUEUE]: (job, signal) => handlers[DEPLOY_QUEUE]!(job, signal),
        [REGISTRATION_QUEUE]: (job) =>
          registerTemplateVersion(
            {
              store: catalogStore,
              bundles: bundleStore,
              source: new StoreThenS3BundleSource(bundleStore, config.region, MAX_BUNDLE_BYTES, config.s3ForcePathStyle),
              checker: new TemplateBundleChecker(),
              templates,
              clock,
              logger,
            },
            job.payload as unknown as RegistrationJob,
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
    });
    usageCounter.current = deploy.usage;
    tags.register('environment', deploy.resolvers.environment);
    tags.register('service', deploy.resolvers.service);
    tags.register('component', deploy.resolvers.component);
    const operations = new Map([...catalogOperations({ templates, tags, bundles }), ...accessKeyOperations(keys), ...deploy.operations]);
    const app = createHttpApp({
      operations,
      logger: logger.child({ component: 'http' }),
      maxRequestBytes: config.maxRequestBytes,
      mount: (app, dispatch) => mountConsoleRoutes(app, { dispatch, keys, clock, logger, maxRequestBytes: config.maxRequestBytes }),
      ready: async () => {
        try {
          await sql`select 1`.execute(db);
          return true;
        } catch {
          return false;
        }
      },
      authenticate: async (request) => {
        let record: Awaited<ReturnType<typeof keys.lookup>>;
        await verifySigV4(request, async (id) => {
          record = await keys.lookup(id);
          return record ? { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, sessionToken: record.sessionToken ?? undefined } : undefined;
        }, clock.now());
        // verifySigV4 only returns after the lookup found the key that signed the request.
        return keys.principalOf(record!);
      },
    });

    handlers[DEPLOY_QUEUE] = deploy.handleDeployJob;
    let server: ServerType | undefined;
    const handle = database;
    return {
      config,
      accountId,
      rootKey,
      keys,
      database: handle,
      start: async () => {
        worker.start();
        if (options.http === false) return { url: '', port: 0 };
        const port = await new Promise<number>((resolve, reject) => {
          server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => resolve(info.port));
          server.once('error', reject);
        });
        const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
        publicUrl = config.publicUrl ?? url;
        logger.info('nucleon listening', { url, database: handle.kind });
        return { url, port };
      },
      stop: async () => {
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
        await worker.stop();
        await handle.close();
        lock?.release();
      },
    };
  } catch (error) {
    await database?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
}
