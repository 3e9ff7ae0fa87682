import type {
  InstanceSyncAttemptRecord,
  ServiceSyncConfigRecord,
} from '../../ports/service-sync-store.js';

/** CreateServiceSyncConfig's and UpdateServiceSyncConfig's input. */
export interface ConfigInput {
  serviceName: string;
  repositoryName: string;
  repositoryProvider: string;
  branch: string;
  filePath: string;
}

/** Proton's ServiceSyncConfig. */
export const view = (c: ServiceSyncConfigRecord) => ({
  serviceName: c.serviceName,
  repositoryName: c.repositoryName,
  repositoryProvider: c.provider,
  branch: c.branch,
  filePath: c.filePath,
});

/** Proton's ResourceSyncAttempt of an instance. */
export const attemptView = (a: InstanceSyncAttemptRecord | undefined) =>
  a && {
    initialRevision: a.initialRevision,
    targetRevision: a.targetRevision,
    target: a.instanceName,
    startedAt: a.startedAt,
    status: a.status,
    events: a.events,
  };
