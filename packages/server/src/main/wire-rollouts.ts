import type { Logger } from '@nucleon/core';
import type { Kysely } from 'kysely';
import { FetchHealthProbe } from '../adapters/fetch-health-probe.js';
import { CloudFormationChangeSetPlanner } from '../adapters/engines/cloudformation-change-set-planner.js';
import { PostgresRolloutStore } from '../adapters/db/postgres-rollout-store.js';
import type { Database } from '../adapters/db/schema.js';
import type { DeployDeps } from '../app/deploy/deploy-context.js';
import { PreviewService } from '../app/rollouts/preview-service.js';
import { DriftService } from '../app/rollouts/drift-service.js';
import { CloudFormationStackInspector } from '../adapters/engines/cloudformation-stack-inspector.js';
import { RolloutDriver } from '../app/rollouts/rollout-driver.js';
import { RolloutsService } from '../app/rollouts/rollouts-service.js';
import { rolloutOperations } from '../http/rollout-operations.js';
import type { JobHandler } from '../ports/job-queue.js';
import type { TemplateRenderer } from '../ports/version-bundles.js';

/** Builds fleet operations: previews, the rollout store, use cases, operations and the rollout job handler. */
export function wireRollouts(w: {
  db: Kysely<Database>;
  deploy: DeployDeps;
  renderer: TemplateRenderer;
  accountId: string;
  logger: Logger;
  tickMs?: number;
}) {
  const store = new PostgresRolloutStore(w.db);
  const previews = new PreviewService(
    w.deploy,
    w.renderer,
    new CloudFormationChangeSetPlanner(),
    w.accountId,
  );
  const service = new RolloutsService(w.deploy, store, (input, hash) =>
    previews.check(input, hash),
  );
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
  return {
    operations: rolloutOperations(
      service,
      previews,
      new DriftService(w.deploy, w.renderer, new CloudFormationStackInspector(), w.accountId),
    ),
    handleRolloutJob,
    service,
  };
}
