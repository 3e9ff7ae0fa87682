import type { Revision, SyncEvent } from './repository-sync-store.js';
import type { ResourceSyncStatus } from './template-sync-store.js';

export interface ServiceSyncConfigRecord {
  serviceName: string;
  provider: string;
  repositoryName: string;
  branch: string;
  /** The proton-ops file, on `branch`. */
  filePath: string;
}

export interface InstanceSyncAttemptRecord {
  id: string;
  serviceName: string;
  instanceName: string;
  commit: string;
  /** The git blob id of the spec file at `commit`: an unchanged spec deploys nothing. */
  specSha: string;
  startedAt: Date;
  status: ResourceSyncStatus;
  initialRevision: Revision;
  targetRevision: Revision;
  events: SyncEvent[];
  /** The deployment the attempt started, once started. */
  deploymentId: string | null;
}

export interface SyncBlockerRecord {
  id: string;
  serviceName: string;
  /** null: the blocker stops the whole service's sync. */
  instanceName: string | null;
  status: 'ACTIVE' | 'RESOLVED';
  createdReason: string;
  createdAt: Date;
  resolvedReason: string | null;
  resolvedAt: Date | null;
  contexts: Array<{ key: string; value: string }>;
}

/** Service sync configs, instance sync attempts and sync blockers. */
export interface ServiceSyncStore {
  getConfig(serviceName: string): Promise<ServiceSyncConfigRecord | undefined>;
  listConfigs(provider: string, repositoryName: string): Promise<ServiceSyncConfigRecord[]>;
  insertConfig(record: ServiceSyncConfigRecord): Promise<boolean>;
  updateConfig(record: ServiceSyncConfigRecord): Promise<boolean>;
  deleteConfig(serviceName: string): Promise<boolean>;
  latestAttempt(
    serviceName: string,
    instanceName: string,
    status?: ResourceSyncStatus,
  ): Promise<InstanceSyncAttemptRecord | undefined>;
  hasAttempts(serviceName: string, instanceName: string): Promise<boolean>;
  /** Attempts of a commit still INITIATED (their job may have given up). */
  initiatedAttempts(commit: string): Promise<InstanceSyncAttemptRecord[]>;
  /** The service's attempts still IN_PROGRESS (waiting for their deployment). */
  inProgress(serviceName: string): Promise<InstanceSyncAttemptRecord[]>;
  startAttempt(
    attempt: Omit<InstanceSyncAttemptRecord, 'id'>,
  ): Promise<{ attempt: InstanceSyncAttemptRecord; created: boolean }>;
  /**
   * Updates the attempt if its status is one of `expected`. With `blocker`, the blocker is added in
   * the same transaction when (and only when) the update applies: a failed sync and the blocker it
   * raises are one state change.
   */
  updateAttempt(
    id: string,
    patch: Partial<Pick<InstanceSyncAttemptRecord, 'status' | 'events' | 'deploymentId'>>,
    expected: readonly ResourceSyncStatus[],
    blocker?: SyncBlockerRecord,
  ): Promise<boolean>;
  /** Adds an ACTIVE blocker unless an ACTIVE one of the same scope exists; returns the active one. */
  addBlocker(blocker: SyncBlockerRecord): Promise<SyncBlockerRecord>;
  activeBlockers(serviceName: string): Promise<SyncBlockerRecord[]>;
  /** The latest blockers of the service (and of one instance, when named). */
  latestBlockers(serviceName: string, instanceName?: string): Promise<SyncBlockerRecord[]>;
  getBlocker(id: string): Promise<SyncBlockerRecord | undefined>;
  resolveBlocker(id: string, reason: string, at: Date): Promise<SyncBlockerRecord | undefined>;
}
