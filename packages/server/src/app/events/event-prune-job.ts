import type { Logger } from '@nucleon/core';
import type { EventStore } from '../../ports/event-store.js';
import type { JobHandler } from '../../ports/job-queue.js';
import type { JobSchedule } from '../../ports/job-schedule.js';

export const EVENT_PRUNE_QUEUE = 'event-prune';
/** The outbox is pruned once an hour (whichever worker takes the turn). */
export const EVENT_PRUNE_INTERVAL_SECONDS = 3600;

/**
 * Deletes events older than NUCLEON_EVENT_RETENTION_DAYS whose every delivery has ended
 * (DELIVERED or FAILED), with their delivery records. An event some subscription is still
 * retrying stays, however old. Each `event-prune` job claims the schedule's turn first, so the
 * pruning runs once per interval across processes, and the next job is enqueued before the work.
 */
export function eventPruneJob(deps: {
  schedule: JobSchedule;
  store: EventStore;
  retentionDays: number;
  intervalSeconds: number;
  logger: Logger;
}): JobHandler {
  return {
    async run(job) {
      if (deps.retentionDays <= 0) return; // retention turned off: the chain ends here
      if (!(await deps.schedule.claimTurn(job.id, deps.intervalSeconds))) return;
      const pruned = await deps.store.prune(deps.retentionDays);
      await deps.schedule.finished({ pruned, retentionDays: deps.retentionDays });
      if (pruned > 0) deps.logger.info('pruned old events', { pruned });
    },
    exhausted: (job) => {
      deps.logger.error('pruning old events failed every attempt; it runs again next turn', {
        error: job.lastError,
      });
      return Promise.resolve();
    },
  };
}
