import type { TemplateKind } from '@nucleon/core';
import type { Revision, SyncEvent } from './repository-sync-store.js';

export interface TemplateSyncConfigRecord {
  templateKind: TemplateKind;
  templateName: string;
  provider: string;
  repositoryName: string;
  branch: string;
  subdirectory: string | null;
}

export type ResourceSyncStatus = 'INITIATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface TemplateSyncAttemptRecord {
  id: string;
  templateKind: TemplateKind;
  templateName: string;
  major: number;
  commit: string;
  /** The git tree of the version folder at `commit`. */
  tree: string;
  startedAt: Date;
  status: ResourceSyncStatus;
  initialRevision: Revision;
  targetRevision: Revision;
  events: SyncEvent[];
  /** The minor version the attempt created, once created. */
  minor: number | null;
}

/** Template sync configs and their attempts (one per template, major version and commit). */
export interface TemplateSyncStore {
  getConfig(kind: TemplateKind, name: string): Promise<TemplateSyncConfigRecord | undefined>;
  listConfigs(provider: string, repositoryName: string): Promise<TemplateSyncConfigRecord[]>;
  /** False when the template already has a config. */
  insertConfig(record: TemplateSyncConfigRecord): Promise<boolean>;
  updateConfig(record: TemplateSyncConfigRecord): Promise<boolean>;
  deleteConfig(kind: TemplateKind, name: string): Promise<boolean>;
  latestAttempt(
    kind: TemplateKind,
    name: string,
    major: number,
    status?: ResourceSyncStatus,
  ): Promise<TemplateSyncAttemptRecord | undefined>;
  /** The attempt of that commit, inserted when there is none yet. */
  startAttempt(
    attempt: Omit<TemplateSyncAttemptRecord, 'id'>,
  ): Promise<{ attempt: TemplateSyncAttemptRecord; created: boolean }>;
  /** Updates an attempt, only while it is still in `expected` status. */
  updateAttempt(
    id: string,
    patch: Partial<Pick<TemplateSyncAttemptRecord, 'status' | 'events' | 'minor'>>,
    expected: readonly ResourceSyncStatus[],
  ): Promise<boolean>;
  /** Attempts of a commit still INITIATED (their job may have given up). */
  initiatedAttempts(commit: string): Promise<TemplateSyncAttemptRecord[]>;
  attemptOfVersion(
    kind: TemplateKind,
    name: string,
    major: number,
    minor: number,
  ): Promise<TemplateSyncAttemptRecord | undefined>;
}
