import { join } from 'node:path';
import { coerceError, type ArnScope, type Logger, type TemplateKind } from '@nucleon/core';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../adapters/auth/secret-box.js';
import { PostgresRepositoryStore } from '../adapters/db/postgres-repository-store.js';
import { PostgresRepositorySyncStore } from '../adapters/db/postgres-repository-sync-store.js';
import { PostgresTemplateSyncStore } from '../adapters/db/postgres-template-sync-store.js';
import type { Database } from '../adapters/db/schema.js';
import { GitCliMirror } from '../adapters/git/git-cli-mirror.js';
import { FETCH_QUEUE, RepositorySyncService } from '../app/sync/repository-sync-service.js';
import { TEMPLATE_SYNC_QUEUE, TemplateSyncService } from '../app/sync/template-sync-service.js';
import type { TemplatesService } from '../app/templates-service.js';
import { PostgresServiceSyncStore } from '../adapters/db/postgres-service-sync-store.js';
import type { InstancesService } from '../app/deploy/instances-service.js';
import { parseSpec, type ServicesService } from '../app/deploy/services-service.js';
import { SERVICE_SYNC_QUEUE, ServiceSyncService } from '../app/sync/service-sync-service.js';
import { serviceSyncOperations, syncOperations } from '../http/sync-operations.js';
import type { OperationEntry } from '../http/operation-registry.js';
import type { DeploymentStore } from '../ports/deployment-store.js';
import { targetPrefix } from '@nucleon/protocol';
import type { BundleStore } from '../ports/bundle-store.js';
import type { CatalogStore } from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import type { JobHandler, JobQueue } from '../ports/job-queue.js';
import type { NucleonConfig } from './config.js';

/** Builds Git sync (ADR 0017): repository mirrors and webhooks, template sync, their jobs. */
export function wireSync(w: {
  config: NucleonConfig;
  db: Kysely<Database>;
  box: SecretBox;
  catalogStore: CatalogStore;
  bundleStore: BundleStore;
  templates: TemplatesService;
  queue: JobQueue;
  clock: Clock;
  arnScope: ArnScope;
  logger: Logger;
  poke: () => void;
  endpoint: () => string;
}) {
  const logger = w.logger.child({ component: 'sync' });
  const branches = new PostgresRepositorySyncStore(w.db, w.box);
  const mirror = new GitCliMirror();
  const repositories = new RepositorySyncService({
    repositories: new PostgresRepositoryStore(w.db, w.box),
    store: branches,
    mirror,
    clock: w.clock,
    logger,
    mirrorRoot: join(w.config.dataDir, 'repository-mirrors'),
    endpoint: w.endpoint,
    poke: w.poke,
  });
  const templateSync = new TemplateSyncService({
    store: new PostgresTemplateSyncStore(w.db),
    branches,
    repositories,
    mirror,
    templates: w.templates,
    catalog: w.catalogStore,
    bundles: w.bundleStore,
    bucket: w.config.bundleBucket,
    queue: w.queue,
    clock: w.clock,
    logger,
  });
  repositories.subscribe(templateSync);
  const handlers: Record<string, JobHandler> = {
    [FETCH_QUEUE]: repositories.jobs(),
    [TEMPLATE_SYNC_QUEUE]: templateSync.jobs(),
  };
  let serviceSync: ServiceSyncService | undefined;
  handlers[SERVICE_SYNC_QUEUE] = {
    run: (job, signal) => serviceSync!.jobs().run(job, signal),
    exhausted: (job) => serviceSync!.jobs().exhausted(job),
  };
  return {
    repositories,
    operations: syncOperations({ repositories, templates: templateSync }),
    handlers,
    /**
     * Service sync needs the deployment side (built after the worker): its operations, and the
     * manual-change hooks on CreateServiceInstance, UpdateServiceInstance and UpdateService.
     */
    withServices(d: {
      services: ServicesService;
      instances: InstancesService;
      store: DeploymentStore;
      operations: Array<[string, OperationEntry]>;
    }): Array<[string, OperationEntry]> {
      const service = new ServiceSyncService({
        store: new PostgresServiceSyncStore(w.db),
        branches,
        repositories,
        mirror,
        services: d.services,
        instances: d.instances,
        deployments: d.store,
        queue: w.queue,
        clock: w.clock,
        logger,
      });
      serviceSync = service;
      repositories.subscribe(service);
      return [
        ...d.operations.map(
          ([target, entry]) =>
            [target, blockOnManualChange(target, entry, service, d.store, logger)] as [
              string,
              OperationEntry,
            ],
        ),
        ...serviceSyncOperations(service),
      ];
    },
    /** Wraps the registration queue's handler: a version's registration ending settles its sync attempt. */
    settleAfter(handler: JobHandler): JobHandler {
      const settle = async (payload: Record<string, unknown>) => {
        const p = payload as {
          kind: TemplateKind;
          templateName: string;
          major: number;
          minor: number;
        };
        try {
          await templateSync.settle(p.kind, p.templateName, p.major, p.minor);
        } catch (error) {
          logger.warn('could not settle the template sync attempt of a version', {
            template: p.templateName,
            error: coerceError(error).message,
          });
        }
      };
      return {
        run: async (job, signal) => {
          await handler.run(job, signal);
          await settle(job.payload);
        },
        exhausted: async (job) => {
          await handler.exhausted(job);
          await settle(job.payload);
        },
      };
    },
    /** Polls synced repositories every NUCLEON_SYNC_POLL_SECONDS (the claim is in SQL: safe with many workers). */
    startPolling(): NodeJS.Timeout | undefined {
      const everyMs = w.config.syncPollSeconds * 1000;
      if (everyMs <= 0) return undefined;
      const tick = () => {
        repositories.pollDue(everyMs).catch((error: unknown) =>
          logger.warn('could not enqueue repository polls; will try again', {
            error: coerceError(error).message,
          }),
        );
      };
      const timer = setInterval(tick, Math.min(everyMs, 5000));
      timer.unref();
      return timer;
    },
  };
}

/** Wraps the manual operations that change synced instances so that they create sync blockers. */
function blockOnManualChange(
  target: string,
  entry: OperationEntry,
  sync: ServiceSyncService,
  store: DeploymentStore,
  logger: Logger,
): OperationEntry {
  const name = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : '';
  const after = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      logger.warn('could not record a service sync blocker', { error: coerceError(error).message });
    }
  };
  if (name === 'CreateServiceInstance' || name === 'UpdateServiceInstance')
    return {
      ...entry,
      handler: async (input, context) => {
        const out = await entry.handler(input, context);
        await after(() =>
          sync.blockers.manualInstanceChange(String(input.serviceName), String(input.name), name),
        );
        return out;
      },
    };
  if (name === 'UpdateService')
    return {
      ...entry,
      handler: async (input, context) => {
        const serviceName = String(input.name);
        const before =
          typeof input.spec === 'string'
            ? (await store.listResources({ kind: 'SERVICE_INSTANCE', serviceName })).map(
                (r) => r.name,
              )
            : [];
        const out = await entry.handler(input, context);
        if (typeof input.spec === 'string') {
          const kept = new Set(parseSpec(input.spec).instances.map((i) => i.name));
          await after(() =>
            sync.blockers.manualInstancesRemoved(
              serviceName,
              before.filter((n) => !kept.has(n)),
            ),
          );
        }
        return out;
      },
    };
  return entry;
}
