import type { Logger } from '@nucleon/core';
import type { Kysely } from 'kysely';
import { FetchHealthProbe } from '../adapters/fetch-health-probe.js';
import { PostgresRolloutStore } from '../adapters/db/postgres-rollout-store.js';
import type { Database } from '../adapters/db/schema.js';
import type { DeployDeps } from '../app/deploy/deploy-context.js';
import { RolloutDriver } from '../app/rollouts/rollout-driver.js';
import { RolloutsService, type PreviewCheck } from '../app/rollouts/rollouts-service.js';
import { rolloutOperations } from '../http/rollout-operations.js';
import type { JobHandler } from '../ports/job-queue.js';

/** Builds fleet operations: the rollout store, use cases, operations and the rollout job handler. */
export function wireRollouts(w: {
  db: Kysely<Database>;
  deploy: DeployDeps;
  logger: Logger;
  checkPreview?: PreviewCheck;
  tickMs?: number;
}) {
  const store = new PostgresRolloutStore(w.db);
  const service = new RolloutsService(w.deploy, store, w.checkPreview);
  const driver = new RolloutDriver(
    w.deploy,
    store,
    new FetchHealthProbe(),
    w.logger.child({ component: 'rollouts' }),
    w.tickMs,
  );
  const handleRolloutJob: JobHandler = {
    run: (job) => driver.tick(job),
    exhausted: (job) => driver.exhausted(job),
  };
  return { operations: rolloutOperations(service), handleRolloutJob, service };
}
