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
import type { DriftCommandRunner } from '../ports/drift-command-runner.js';
import type { TemplateRenderer } from '../ports/version-bundles.js';
import type { TerraformPlanner } from '../ports/stack-planner.js';
import type { SecretBox } from '../adapters/auth/secret-box.js';
import { PostgresEventStore } from '../adapters/db/postgres-event-store.js';
import { PostgresDriftAcceptanceStore } from '../adapters/db/postgres-drift-acceptance-store.js';
import { PostgresDriftScheduleStore } from '../adapters/db/postgres-drift-schedule-store.js';
import { EventsService } from '../app/events/events-service.js';
import { eventDeliveryJob } from '../app/events/event-delivery.js';
import { driftScanJob } from '../app/rollouts/drift-scan-job.js';
import { CurrencyService } from '../app/rollouts/currency-service.js';
import { eventOperations } from '../http/event-operations.js';
import { SdkEventBusPublisher } from '../adapters/sdk-event-bus-publisher.js';
import { PostgresJobSchedule } from '../adapters/db/postgres-job-schedule.js';
import {
  EVENT_PRUNE_INTERVAL_SECONDS,
  EVENT_PRUNE_QUEUE,
  eventPruneJob,
} from '../app/events/event-prune-job.js';

/**
 * Builds fleet operations: previews, the rollout store, use cases, operations, events (ADR 0023)
 * and the handlers of the rollout, drift-scan, event-delivery and event-prune jobs.
 */
export function wireRollouts(w: {
  db: Kysely<Database>;
  deploy: DeployDeps;
  renderer: TemplateRenderer;
  accountId: string;
  logger: Logger;
  box: SecretBox;
  driftIntervalSeconds: number;
  /** Events older than this many days are pruned once delivered or failed; 0 keeps them all. */
  eventRetentionDays: number;
  /** terraform plan for previews, when Terraform runs on the runner. */
  terraformPlanner?: TerraformPlanner | undefined;
  /** Where codebuild templates' `drift` commands run: the provisioning runner. */
  driftCommands?: { commands: DriftCommandRunner; timeoutMs: number };
  tickMs?: number;
}) {
  const store = new PostgresRolloutStore(w.db);
  const previews = new PreviewService(
    w.deploy,
    w.renderer,
    new CloudFormationChangeSetPlanner(),
    w.accountId,
    w.terraformPlanner,
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
  const drift = new DriftService(
    w.deploy,
    w.renderer,
    new CloudFormationStackInspector(),
    w.accountId,
    new PostgresDriftAcceptanceStore(w.db),
    w.driftCommands,
  );
  const schedule = new PostgresDriftScheduleStore(w.db);
  const events = new PostgresEventStore(w.db, w.box);
  const publisher = new SdkEventBusPublisher();
  const pruneSchedule = new PostgresJobSchedule(w.db, EVENT_PRUNE_QUEUE);
  return {
    operations: [
      ...rolloutOperations(service, previews, drift, schedule, new CurrencyService(w.deploy)),
      ...eventOperations(new EventsService(events, w.deploy.arnScope.region)),
    ],
    handleRolloutJob,
    handleDriftScanJob: driftScanJob({
      schedule,
      drift,
      intervalSeconds: w.driftIntervalSeconds,
      clock: w.deploy.clock,
      logger: w.logger.child({ component: 'drift' }),
    }),
    handleEventJob: eventDeliveryJob({
      store: events,
      publisher,
      scope: { region: w.deploy.arnScope.region, accountId: w.accountId },
      logger: w.logger.child({ component: 'events' }),
    }),
    handleEventPruneJob: eventPruneJob({
      schedule: pruneSchedule,
      store: events,
      retentionDays: w.eventRetentionDays,
      intervalSeconds: EVENT_PRUNE_INTERVAL_SECONDS,
      logger: w.logger.child({ component: 'events' }),
    }),
    /** Starts pruning old events when a retention is configured (idempotent). */
    scheduleEventPruning: () =>
      w.eventRetentionDays > 0
        ? pruneSchedule.ensure(EVENT_PRUNE_INTERVAL_SECONDS)
        : Promise.resolve(),
    close: () => publisher.close(),
    /** Starts the scheduled drift check when an interval is configured (idempotent). */
    scheduleDrift: () =>
      w.driftIntervalSeconds > 0 ? schedule.ensure(w.driftIntervalSeconds) : Promise.resolve(),
    service,
  };
}
