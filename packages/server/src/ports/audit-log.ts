export type AuditOutcome = 'SUCCEEDED' | 'FAILED' | 'DENIED';

/** One recorded call: who, what, on which resource, and how it ended. */
export interface AuditEvent {
  id: string;
  at: Date;
  userName: string | null;
  accessKeyId: string | null;
  operation: string;
  action: string;
  resourceArn: string;
  outcome: AuditOutcome;
  errorType: string | null;
  message: string | null;
  requestId: string;
  sourceAddress: string | null;
}

export interface AuditFilter {
  /** A user name or an access key id. */
  principal?: string | undefined;
  resourceArn?: string | undefined;
  operation?: string | undefined;
  after?: Date | undefined;
  before?: Date | undefined;
}

/** The append-only audit log. Pages run newest first; `afterId` continues below that event. */
export interface AuditLog {
  record(event: Omit<AuditEvent, 'id' | 'at'>): Promise<void>;
  list(
    filter: AuditFilter,
    page: { afterId?: string | undefined; limit: number },
  ): Promise<AuditEvent[]>;
}
