import type { NewJob } from './catalog-store.js';

export type SyncType = 'TEMPLATE_SYNC' | 'SERVICE_SYNC';

/** Proton's RepositorySyncEvent and ResourceSyncEvent. */
export interface SyncEvent {
  type: string;
  event: string;
  externalId?: string;
  time: Date;
}

/** Proton's Revision. */
export interface Revision {
  repositoryName: string;
  repositoryProvider: string;
  branch: string;
  sha: string;
  directory: string;
}

export interface RepositorySyncRecord {
  provider: string;
  name: string;
  webhookId: string;
  /** Decrypted; null: webhook deliveries are refused. */
  webhookSecret: string | null;
  mirror: string;
}

export interface RepositorySyncAttempt {
  startedAt: Date;
  status: 'INITIATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'QUEUED';
  events: SyncEvent[];
}

/** The job payload a sync kind receives when a branch it watches moved. */
export interface BranchMoved {
  provider: string;
  name: string;
  branch: string;
  commit: string;
  previous: string | null;
}

/** Mirrors, webhooks, poll schedule and branch tips of the repositories that sync uses. */
export interface RepositorySyncStore {
  /** The repository's sync row, created (with a webhook id and the mirror folder) when missing. */
  ensure(provider: string, name: string, mirror: string): Promise<RepositorySyncRecord>;
  get(provider: string, name: string): Promise<RepositorySyncRecord | undefined>;
  byWebhookId(id: string): Promise<RepositorySyncRecord | undefined>;
  setWebhookSecret(provider: string, name: string, secret: string): Promise<void>;
  /** Enqueues a fetch of the repository unless one is already waiting. */
  requestFetch(provider: string, name: string, queue: string): Promise<void>;
  /**
   * Claims the repositories whose poll is due (and that some sync config uses), moves their next
   * poll `everyMs` later and enqueues their fetch, in one transaction: safe with many workers.
   */
  claimDuePolls(everyMs: number, queue: string, limit: number): Promise<number>;
  branchTip(provider: string, name: string, branch: string): Promise<string | undefined>;
  /**
   * Moves the recorded tip of a branch from `from` (undefined: not seen yet) to `to` and
   * enqueues `jobs` in the same transaction; false when another fetch moved it first.
   */
  moveBranch(
    move: { provider: string; name: string; branch: string; from: string | undefined; to: string },
    jobs: NewJob[],
  ): Promise<boolean>;
  recordAttempt(
    key: { provider: string; name: string; branch: string; syncType: SyncType },
    attempt: RepositorySyncAttempt,
  ): Promise<void>;
  latestAttempt(key: {
    provider: string;
    name: string;
    branch: string;
    syncType: SyncType;
  }): Promise<RepositorySyncAttempt | undefined>;
}
