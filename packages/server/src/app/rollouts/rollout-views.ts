import type { DeploymentStore } from '../../ports/deployment-store.js';
import type { RolloutInstanceRecord, RolloutRecord } from '../../ports/rollout-store.js';

/** A rollout as the extension operations return it (waves 1-based, versions as strings). */
export function rolloutSummary(r: RolloutRecord) {
  return {
    rolloutId: r.id,
    templateName: r.templateName,
    templateType: r.templateKind,
    targetMajorVersion: String(r.targetMajor),
    targetMinorVersion: String(r.targetMinor),
    status: r.status,
    phase: r.phase,
    statusMessage: r.statusMessage ?? undefined,
    currentWave: Math.min(r.currentWave + 1, r.waveCount),
    waveCount: r.waveCount,
    bakeUntil: r.bakeUntil ?? undefined,
    maxInFlight: r.options.maxInFlight,
    bakeSeconds: r.options.bakeSeconds,
    failureThreshold: r.options.failureThreshold,
    autoRollback: r.options.autoRollback,
    rollbackScope: r.options.rollbackScope,
    healthCheckOutput: r.options.healthCheckOutput,
    previewHash: r.options.previewHash,
    description: r.options.description,
    createdBy: r.createdBy ?? undefined,
    createdAt: r.createdAt,
    lastModifiedAt: r.lastModifiedAt,
    completedAt: r.completedAt ?? undefined,
  };
}

/** Per-instance state, with the live status of the deployment it is waiting for. */
export async function rolloutInstancesView(
  store: DeploymentStore,
  rows: readonly RolloutInstanceRecord[],
) {
  return Promise.all(
    rows.map(async (i) => {
      const live =
        i.state === 'IN_PROGRESS'
          ? i.deploymentId
          : i.state === 'ROLLING_BACK'
            ? i.rollbackDeploymentId
            : null;
      const dep = live ? await store.getDeployment(live) : undefined;
      return {
        serviceName: i.serviceName,
        serviceInstanceName: i.instanceName,
        environmentName: i.environmentName,
        wave: i.wave + 1,
        state: i.state,
        previousVersion: i.fromMajor === null ? undefined : `${i.fromMajor}.${i.fromMinor ?? 0}`,
        deploymentId: i.deploymentId ?? undefined,
        rollbackDeploymentId: i.rollbackDeploymentId ?? undefined,
        deploymentStatus: dep?.status,
        message: i.message ?? undefined,
      };
    }),
  );
}
