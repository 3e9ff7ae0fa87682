import type { ConnectionStatus } from '@nucleon/core';

/** One environment account connection (Proton's EnvironmentAccountConnection, plus idempotency). */
export interface ConnectionRecord {
  id: string;
  arn: string;
  environmentAccountId: string;
  managementAccountId: string;
  environmentName: string;
  roleArn: string | null;
  codebuildRoleArn: string | null;
  componentRoleArn: string | null;
  status: ConnectionStatus;
  clientToken: string | null;
  /** Digest of the create parameters: a retried token with other parameters is refused. */
  requestDigest: string;
  requestedAt: Date;
  lastModifiedAt: Date;
}

export type InsertConnectionResult =
  | { kind: 'inserted'; record: ConnectionRecord }
  /** A live connection for the same accounts and environment name exists. */
  | { kind: 'duplicate'; existing: ConnectionRecord }
  /** The same client token was used before (by the same environment account). */
  | { kind: 'token'; existing: ConnectionRecord }
  | { kind: 'quota'; count: number };

export type ConnectionRoles = Partial<
  Pick<ConnectionRecord, 'roleArn' | 'codebuildRoleArn' | 'componentRoleArn'>
>;

/** Environment account connections; every state change is one guarded SQL statement. */
export interface ConnectionStore {
  /** Inserts unless a live duplicate, a used token or the account's quota stops it (one transaction). */
  insert(
    record: ConnectionRecord,
    maxPerEnvironmentAccount: number,
  ): Promise<InsertConnectionResult>;
  get(id: string): Promise<ConnectionRecord | undefined>;
  /** Connections where the account is the environment or the management account, by id. */
  list(filter: {
    environmentAccountId?: string;
    managementAccountId?: string;
  }): Promise<ConnectionRecord[]>;
  /**
   * One keyset page of the account's connections by id (ListEnvironmentAccountConnections), its
   * filters in SQL.
   */
  page(
    filter: {
      environmentAccountId?: string;
      managementAccountId?: string;
      environmentName?: string | undefined;
      statuses?: readonly ConnectionStatus[] | undefined;
    },
    page: { after?: string | undefined; limit: number },
  ): Promise<ConnectionRecord[]>;
  /**
   * Moves the connection to `to` if its status is one of `from` and, when `unlessInUse`, no
   * environment uses it; returns the moved record, or undefined when the guard did not hold.
   */
  transition(
    id: string,
    from: readonly ConnectionStatus[],
    to: ConnectionStatus,
    now: Date,
    unlessInUse: boolean,
  ): Promise<ConnectionRecord | undefined>;
  updateRoles(id: string, roles: ConnectionRoles, now: Date): Promise<ConnectionRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Names of the environments provisioned through the connection. */
  environmentsUsing(id: string): Promise<string[]>;
}
