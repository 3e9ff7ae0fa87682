export const DRIFT_SCAN_QUEUE = 'drift-scan';

export interface StoredDriftReport {
  checkedAt: Date;
  report: { resources: Array<{ drifted: boolean } & Record<string, unknown>> };
}

/** The scheduled drift check's turn and its last report (one row, ADR 0023). */
export interface DriftScheduleStore {
  /** Makes sure the schedule exists and exactly one `drift-scan` job is waiting for it. */
  ensure(intervalSeconds: number): Promise<void>;
  /**
   * Claims this interval's check for job `jobId` (true when it was due), and makes sure one other
   * `drift-scan` job waits for the next turn; a job that finds the turn taken does nothing.
   */
  claimTurn(jobId: string, intervalSeconds: number): Promise<boolean>;
  /** Stores the report of a check that began at `checkedAt` (what it saw is from then on). */
  save(report: StoredDriftReport['report'], checkedAt: Date): Promise<void>;
  last(): Promise<StoredDriftReport | undefined>;
}
