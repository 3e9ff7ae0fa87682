import { sql, type Kysely } from 'kysely';
import type { DriftAcceptance, DriftAcceptanceStore } from '../../ports/drift-acceptance-store.js';
import type { Database } from './schema.js';

/** Accepted drift in SQL: one row per resource, written by one guarded statement. */
export class PostgresDriftAcceptanceStore implements DriftAcceptanceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async all() {
    const rows = await this.db.selectFrom('drift_acceptances').selectAll().execute();
    return new Map(rows.map((r) => [r.resource_arn, this.toAcceptance(r)]));
  }

  async accept(a: Omit<DriftAcceptance, 'acceptedAt'>) {
    return this.db.transaction().execute(async (tx) => {
      // Guarded: only while the resource still stands on the deployment the drift was seen on.
      const row = await sql<Database['drift_acceptances']>`
        insert into drift_acceptances (resource_arn, fingerprint, deployment_id, accepted_by)
        select arn, ${a.fingerprint}, ${a.deploymentId}, ${a.acceptedBy} from resources
         where arn = ${a.resourceArn} and last_succeeded_deployment_id = ${a.deploymentId}
        on conflict (resource_arn) do update set fingerprint = excluded.fingerprint,
          deployment_id = excluded.deployment_id, accepted_by = excluded.accepted_by,
          accepted_at = now()
        returning *`.execute(tx);
      const r = row.rows[0];
      return r ? this.toAcceptance(r) : undefined;
    });
  }

  private toAcceptance(r: {
    resource_arn: string;
    fingerprint: string;
    deployment_id: string;
    accepted_by: string;
    accepted_at: unknown;
  }): DriftAcceptance {
    return {
      resourceArn: r.resource_arn,
      fingerprint: r.fingerprint,
      deploymentId: r.deployment_id,
      acceptedBy: r.accepted_by,
      acceptedAt: new Date(r.accepted_at as string | Date),
    };
  }
}
