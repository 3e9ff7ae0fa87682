import type { Logger } from '@nucleon/core';
import type { Clock } from '../../ports/clock.js';
import type { DriftScheduleStore } from '../../ports/drift-schedule-store.js';
import type { JobHandler } from '../../ports/job-queue.js';
import type { DriftService } from './drift-service.js';

/**
 * The scheduled drift check (NUCLEON_DRIFT_INTERVAL_SECONDS): each `drift-scan` job claims the
 * schedule's turn (once per interval, whichever worker runs it), checks every deployed resource
 * with CloudFormation's drift detection where the cloud has it, and stores the report that
 * GetDriftReport and `nucleon drift` show. Claiming the turn also enqueues the next job.
 */
export function driftScanJob(deps: {
  schedule: DriftScheduleStore;
  drift: DriftService;
  intervalSeconds: number;
  clock: Clock;
  logger: Logger;
}): JobHandler {
  return {
    async run(job) {
      if (deps.intervalSeconds <= 0) return; // scheduling was turned off: the chain ends here
      if (!(await deps.schedule.claimTurn(job.id, deps.intervalSeconds))) return;
      // The report's time is when the check began: a change made while it ran may not be in it.
      const startedAt = deps.clock.now();
      const report = await deps.drift.report({ detectStackDrift: true });
      await deps.schedule.save(report, startedAt);
      const drifted = report.resources.filter((r) => r.drifted).length;
      deps.logger.info('scheduled drift check', { resources: report.resources.length, drifted });
    },
    exhausted: (job) => {
      deps.logger.error('the scheduled drift check failed every attempt; it runs again next turn', {
        error: job.lastError,
      });
      return Promise.resolve();
    },
  };
}
