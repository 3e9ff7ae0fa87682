import type { Kysely } from 'kysely';
import type { AuditEvent, AuditFilter, AuditLog, AuditOutcome } from '../../ports/audit-log.js';
import type { Database } from './schema.js';

/** The audit log as an append-only table; ids grow, so `id < afterId` pages are stable. */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(event: Omit<AuditEvent, 'id' | 'at'>): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        user_name: event.userName,
        access_key_id: event.accessKeyId,
        operation: event.operation,
        action: event.action,
        resource_arn: event.resourceArn,
        outcome: event.outcome,
        error_type: event.errorType,
        message: event.message,
        request_id: event.requestId,
        source_address: event.sourceAddress,
      })
      .execute();
  }

  async list(
    filter: AuditFilter,
    page: { afterId?: string | undefined; limit: number },
  ): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (filter.principal) {
      const p = filter.principal;
      q = q.where((eb) => eb.or([eb('user_name', '=', p), eb('access_key_id', '=', p)]));
    }
    if (filter.resourceArn) q = q.where('resource_arn', '=', filter.resourceArn);
    if (filter.operation) q = q.where('operation', '=', filter.operation);
    if (filter.after) q = q.where('at', '>=', filter.after);
    if (filter.before) q = q.where('at', '<', filter.before);
    if (page.afterId) q = q.where('id', '<', page.afterId);
    const rows = await q.orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      userName: r.user_name,
      accessKeyId: r.access_key_id,
      operation: r.operation,
      action: r.action,
      resourceArn: r.resource_arn,
      outcome: r.outcome as AuditOutcome,
      errorType: r.error_type,
      message: r.message,
      requestId: r.request_id,
      sourceAddress: r.source_address,
    }));
  }
}
