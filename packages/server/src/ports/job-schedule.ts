/**
 * The turns of one periodic job (ADR 0023): whichever process runs a job of its queue claims the
 * turn in one guarded statement, so the work runs once per interval however many workers there
 * are, and exactly one job waits for the next turn.
 */
export interface JobSchedule {
  /** Makes sure the schedule exists and one job waits for its next turn. */
  ensure(intervalSeconds: number): Promise<void>;
  /** Claims this turn for job `jobId` (true when it was due) and makes sure the next job waits. */
  claimTurn(jobId: string, intervalSeconds: number): Promise<boolean>;
  /** Records the turn's result (shown in logs and kept for operators). */
  finished(result: Record<string, unknown>): Promise<void>;
}
