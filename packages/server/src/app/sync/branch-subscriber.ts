import type { SyncType } from '../../ports/repository-sync-store.js';

/** Proton's RepositorySyncDefinition. */
export interface RepositorySyncDefinition {
  branch: string;
  directory: string;
  parent: string;
  target: string;
}

/**
 * A sync kind (template sync, service sync) listening for "branch X of repository Y moved to
 * commit C". The fetch job asks each subscriber which branches of the repository it watches;
 * when one of them moved, the transaction that records the new tip enqueues one job on the
 * subscriber's `queue` with a `BranchMoved` payload. The job runs at least once per move (a
 * later move may overtake it: it should check the branch's recorded tip and skip stale commits).
 */
export interface BranchSubscriber {
  syncType: SyncType;
  /** The job queue that receives `BranchMoved` payloads. */
  queue: string;
  /** Attempts of each job (retried with backoff: 2^n seconds, at most 5 minutes apart). */
  maxAttempts: number;
  /**
   * The branches of the repository some config of this kind watches, given the tips the fetch
   * just found (a config may name its branches in a file on another branch).
   */
  watches(provider: string, name: string, tips: ReadonlyMap<string, string>): Promise<string[]>;
  /** What ListRepositorySyncDefinitions reports for this kind. */
  definitions(provider: string, name: string): Promise<RepositorySyncDefinition[]>;
}
