import { extensionTargetPrefix } from '@nucleon/protocol';
import type { RolloutStatus } from '@nucleon/core';
import { NotFoundError } from '@nucleon/core';
import type { DriftService } from '../app/rollouts/drift-service.js';
import type { CurrencyService } from '../app/rollouts/currency-service.js';
import type { DriftScheduleStore } from '../ports/drift-schedule-store.js';
import type { PreviewInput, PreviewService } from '../app/rollouts/preview-service.js';
import type { RolloutsService, StartRolloutInput } from '../app/rollouts/rollouts-service.js';
import type { OperationEntry } from './operation-registry.js';

type In = Record<string, unknown>;

/** Rollouts, previews, version currency, drift reports and accepting drift. */
export function rolloutOperations(
  rollouts: RolloutsService,
  previews: PreviewService,
  drift: DriftService,
  schedule: DriftScheduleStore,
  currency: CurrencyService,
): Array<[string, OperationEntry]> {
  const driftReport = async (i: In) => {
    const last = await schedule.last();
    if (i.lastScheduled) {
      if (!last)
        throw new NotFoundError(
          'No scheduled drift check has run yet: set NUCLEON_DRIFT_INTERVAL_SECONDS on the server, or check now without lastScheduled.',
        );
      return { resources: last.report.resources, checkedAt: last.checkedAt };
    }
    const now = await drift.report(i);
    return {
      ...now,
      ...(last
        ? {
            lastScheduledCheck: {
              checkedAt: last.checkedAt,
              resourceCount: last.report.resources.length,
              driftedCount: last.report.resources.filter((r) => r.drifted).length,
            },
          }
        : {}),
    };
  };
  const id = (i: In) => String(i.rolloutId);
  const entry = (
    name: string,
    input: string,
    output: string,
    handler: OperationEntry['handler'],
  ): [string, OperationEntry] => [`${extensionTargetPrefix}.${name}`, { input, output, handler }];
  return [
    entry('StartRollout', 'StartRolloutInput', 'RolloutOutput', (i, ctx) =>
      rollouts.start(i as unknown as StartRolloutInput, ctx),
    ),
    entry('GetRollout', 'RolloutIdInput', 'RolloutOutput', (i) => rollouts.get(id(i))),
    entry('ListRollouts', 'ListRolloutsInput', 'ListRolloutsOutput', (i) =>
      rollouts.list({
        ...(i.templateName ? { templateName: i.templateName as string } : {}),
        ...(i.status ? { status: i.status as RolloutStatus } : {}),
      }),
    ),
    entry('PauseRollout', 'RolloutIdInput', 'RolloutOutput', (i) => rollouts.pause(id(i))),
    entry('ResumeRollout', 'RolloutIdInput', 'RolloutOutput', (i) => rollouts.resume(id(i))),
    entry('AbortRollout', 'RolloutIdInput', 'RolloutOutput', (i) => rollouts.abort(id(i))),
    entry('GetVersionCurrency', 'GetVersionCurrencyInput', 'GetVersionCurrencyOutput', (i) =>
      currency.report(typeof i.templateName === 'string' ? { templateName: i.templateName } : {}),
    ),
    entry('GetDriftReport', 'GetDriftReportInput', 'GetDriftReportOutput', driftReport),
    entry('AcceptDrift', 'AcceptDriftInput', 'AcceptDriftOutput', async (i, ctx) => ({
      resource: await drift.accept(
        i,
        ctx.principal.userName ?? (ctx.principal.accessKeyId || 'unknown'),
      ),
    })),
    entry('PreviewRollout', 'PreviewRolloutInput', 'PreviewRolloutOutput', (i) =>
      previews.preview(i as unknown as PreviewInput),
    ),
  ];
}
