import { sql, type Kysely, type Selectable } from 'kysely';
import type { ConnectionStatus } from '@nucleon/core';
import type {
  ConnectionRecord,
  ConnectionRoles,
  ConnectionStore,
  InsertConnectionResult,
} from '../../ports/connection-store.js';
import type { Database } from './schema.js';

const TOKEN_LIFETIME_MS = 8 * 3600_000;

type Row = Selectable<Database['environment_account_connections']>;

const toRecord = (r: Row): ConnectionRecord => ({
  id: r.id,
  arn: r.arn,
  environmentAccountId: r.environment_account_id,
  managementAccountId: r.management_account_id,
  environmentName: r.environment_name,
  roleArn: r.role_arn,
  codebuildRoleArn: r.codebuild_role_arn,
  componentRoleArn: r.component_role_arn,
  status: r.status as ConnectionStatus,
  clientToken: r.client_token,
  requestDigest: r.request_digest,
  requestedAt: new Date(r.requested_at),
  lastModifiedAt: new Date(r.last_modified_at),
});

/** Environments (in the resources table) whose settings name the connection. */
const usedBy = (id: string) =>
  sql<boolean>`exists (select 1 from resources where kind = 'ENVIRONMENT' and settings->>'environmentAccountConnectionId' = ${id})`;

export class PostgresConnectionStore implements ConnectionStore {
  constructor(private readonly db: Kysely<Database>) {}

  insert(record: ConnectionRecord, max: number): Promise<InsertConnectionResult> {
    return this.db.transaction().execute(async (tx) => {
      // One request at a time per environment account: the quota count and the duplicate check hold.
      await sql`select pg_advisory_xact_lock(hashtext(${'eac:' + record.environmentAccountId}))`.execute(
        tx,
      );
      const mine = await tx
        .selectFrom('environment_account_connections')
        .selectAll()
        .where('environment_account_id', '=', record.environmentAccountId)
        .execute();
      // Proton's client tokens expire after 8 hours; a later request with the token is a new one.
      const fresh = record.requestedAt.getTime() - TOKEN_LIFETIME_MS;
      const token = record.clientToken
        ? mine.find(
            (r) =>
              r.client_token === record.clientToken && new Date(r.requested_at).getTime() > fresh,
          )
        : undefined;
      if (token) return { kind: 'token', existing: toRecord(token) };
      const duplicate = mine.find(
        (r) =>
          r.status !== 'REJECTED' &&
          r.management_account_id === record.managementAccountId &&
          r.environment_name === record.environmentName,
      );
      if (duplicate) return { kind: 'duplicate', existing: toRecord(duplicate) };
      if (mine.length >= max) return { kind: 'quota', count: mine.length };
      const row = await tx
        .insertInto('environment_account_connections')
        .values({
          id: record.id,
          arn: record.arn,
          environment_account_id: record.environmentAccountId,
          management_account_id: record.managementAccountId,
          environment_name: record.environmentName,
          role_arn: record.roleArn,
          codebuild_role_arn: record.codebuildRoleArn,
          component_role_arn: record.componentRoleArn,
          status: record.status,
          client_token: record.clientToken,
          request_digest: record.requestDigest,
          requested_at: record.requestedAt,
          last_modified_at: record.lastModifiedAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'inserted', record: toRecord(row) };
    });
  }

  async get(id: string): Promise<ConnectionRecord | undefined> {
    const row = await this.db
      .selectFrom('environment_account_connections')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(filter: {
    environmentAccountId?: string;
    managementAccountId?: string;
  }): Promise<ConnectionRecord[]> {
    let q = this.db.selectFrom('environment_account_connections').selectAll().orderBy('id');
    if (filter.environmentAccountId)
      q = q.where('environment_account_id', '=', filter.environmentAccountId);
    if (filter.managementAccountId)
      q = q.where('management_account_id', '=', filter.managementAccountId);
    return (await q.execute()).map(toRecord);
  }

  async page(
    filter: {
      environmentAccountId?: string;
      managementAccountId?: string;
      environmentName?: string | undefined;
      statuses?: readonly ConnectionStatus[] | undefined;
    },
    page: { after?: string | undefined; limit: number },
  ): Promise<ConnectionRecord[]> {
    let q = this.db
      .selectFrom('environment_account_connections')
      .selectAll()
      .orderBy('id')
      .limit(page.limit);
    if (filter.environmentAccountId)
      q = q.where('environment_account_id', '=', filter.environmentAccountId);
    if (filter.managementAccountId)
      q = q.where('management_account_id', '=', filter.managementAccountId);
    if (filter.environmentName) q = q.where('environment_name', '=', filter.environmentName);
    if (filter.statuses?.length) q = q.where('status', 'in', [...filter.statuses]);
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    return (await q.execute()).map(toRecord);
  }

  async transition(
    id: string,
    from: readonly ConnectionStatus[],
    to: ConnectionStatus,
    now: Date,
    unlessInUse: boolean,
  ): Promise<ConnectionRecord | undefined> {
    if (from.length === 0) return undefined;
    let q = this.db
      .updateTable('environment_account_connections')
      .set({ status: to, last_modified_at: now })
      .where('id', '=', id)
      .where('status', 'in', [...from]);
    if (unlessInUse) q = q.where(sql<boolean>`not ${usedBy(id)}`);
    const row = await q.returningAll().executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async updateRoles(
    id: string,
    roles: ConnectionRoles,
    now: Date,
  ): Promise<ConnectionRecord | undefined> {
    const row = await this.db
      .updateTable('environment_account_connections')
      .set({
        last_modified_at: now,
        ...(roles.roleArn !== undefined ? { role_arn: roles.roleArn } : {}),
        ...(roles.codebuildRoleArn !== undefined
          ? { codebuild_role_arn: roles.codebuildRoleArn }
          : {}),
        ...(roles.componentRoleArn !== undefined
          ? { component_role_arn: roles.componentRoleArn }
          : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('environment_account_connections')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async environmentsUsing(id: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('resources')
      .select('name')
      .where('kind', '=', 'ENVIRONMENT')
      .where(sql<boolean>`settings->>'environmentAccountConnectionId' = ${id}`)
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name);
  }
}
