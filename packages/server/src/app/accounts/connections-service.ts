import { createHash, randomUUID } from 'node:crypto';
import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  ServiceQuotaExceededError,
  ValidationError,
  connectionSourcesOf,
  protonArn,
  type ArnScope,
  type ConnectionStatus,
} from '@nucleon/core';
import type { CatalogStore, Tag } from '../../ports/catalog-store.js';
import type { Clock } from '../../ports/clock.js';
import type { ConnectionRecord, ConnectionStore } from '../../ports/connection-store.js';
import { Pager } from '../pagination.js';
import type { Principal } from '../request-context.js';

/** Proton's default quota: connections per environment account (spec §9.9). */
export const DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT = 5;

export interface ConnectionsDeps {
  store: ConnectionStore;
  /** Where tags live (keyed by ARN). */
  tags: Pick<CatalogStore, 'putTags' | 'listTags' | 'removeTags'>;
  clock: Clock;
  /** The installation's region and own account. */
  arnScope: ArnScope;
  maxPerEnvironmentAccount: number;
}

type Roles = { roleArn?: string; codebuildRoleArn?: string; componentRoleArn?: string };

/** The EnvironmentAccountConnection shape. */
export function connectionView(c: ConnectionRecord) {
  return {
    id: c.id,
    arn: c.arn,
    environmentAccountId: c.environmentAccountId,
    managementAccountId: c.managementAccountId,
    environmentName: c.environmentName,
    // Required by the model although CreateEnvironmentAccountConnection may omit it (a
    // connection used only for CodeBuild or components): empty then, never absent.
    roleArn: c.roleArn ?? '',
    codebuildRoleArn: c.codebuildRoleArn ?? undefined,
    componentRoleArn: c.componentRoleArn ?? undefined,
    status: c.status,
    requestedAt: c.requestedAt,
    lastModifiedAt: c.lastModifiedAt,
  };
}

/**
 * Environment account connections (spec §7): requested by an environment (workload) account,
 * accepted or rejected by the management account, updated and deleted by the environment
 * account. Each account sees the connections it is a party to, and no other (ADR 0018).
 */
export class ConnectionsService {
  constructor(private readonly d: ConnectionsDeps) {}

  /** The account a principal acts in. */
  accountOf(principal: Principal): string {
    return principal.accountId ?? this.d.arnScope.accountId;
  }

  async create(
    input: Roles & {
      managementAccountId: string;
      environmentName: string;
      clientToken?: string;
      tags?: Tag[];
    },
    principal: Principal,
  ) {
    const account = this.accountOf(principal);
    for (const t of input.tags ?? [])
      if (t.key.toLowerCase().startsWith('aws:'))
        throw new ValidationError(
          `Tag key "${t.key}" is reserved: keys starting with "aws:" are managed by the system.`,
        );
    const id = randomUUID();
    const now = this.d.clock.now();
    const params = {
      managementAccountId: input.managementAccountId,
      environmentName: input.environmentName,
      roleArn: input.roleArn ?? null,
      codebuildRoleArn: input.codebuildRoleArn ?? null,
      componentRoleArn: input.componentRoleArn ?? null,
      tags: input.tags ?? [],
    };
    const digest = createHash('sha256').update(JSON.stringify(params)).digest('hex');
    const result = await this.d.store.insert(
      {
        id,
        arn: protonArn(
          { ...this.d.arnScope, accountId: account },
          `environment-account-connection/${id}`,
        ),
        environmentAccountId: account,
        managementAccountId: input.managementAccountId,
        environmentName: input.environmentName,
        roleArn: params.roleArn,
        codebuildRoleArn: params.codebuildRoleArn,
        componentRoleArn: params.componentRoleArn,
        status: 'PENDING',
        clientToken: input.clientToken ?? null,
        requestDigest: digest,
        requestedAt: now,
        lastModifiedAt: now,
      },
      this.d.maxPerEnvironmentAccount,
    );
    switch (result.kind) {
      case 'inserted':
        if (input.tags?.length) await this.d.tags.putTags(result.record.arn, input.tags);
        return connectionView(result.record);
      case 'token':
        if (result.existing.requestDigest !== digest)
          throw new ValidationError(
            'IdempotentParameterMismatch: the clientToken was already used for a different CreateEnvironmentAccountConnection request. Use a new clientToken.',
          );
        return connectionView(result.existing);
      case 'duplicate':
        throw new ConflictError(
          `Account ${account} already has a ${result.existing.status} connection ${result.existing.id} to management account ${input.managementAccountId} for the environment ${input.environmentName}; there can be one per environment. Update that connection's roles, or delete it first.`,
        );
      case 'quota':
        throw new ServiceQuotaExceededError(
          `Account ${account} already has ${result.count} environment account connections, the most it may have (${this.d.maxPerEnvironmentAccount}). Delete one you no longer need, or raise NUCLEON_MAX_CONNECTIONS_PER_ACCOUNT.`,
        );
    }
  }

  async get(id: string, principal: Principal) {
    return connectionView(await this.requireVisible(id, this.accountOf(principal)));
  }

  async list(
    input: {
      requestedBy: 'MANAGEMENT_ACCOUNT' | 'ENVIRONMENT_ACCOUNT';
      environmentName?: string;
      statuses?: ConnectionStatus[];
      nextToken?: string;
      maxResults?: number;
    },
    principal: Principal,
  ) {
    const account = this.accountOf(principal);
    const filter = {
      ...(input.requestedBy === 'MANAGEMENT_ACCOUNT'
        ? { managementAccountId: account }
        : { environmentAccountId: account }),
      environmentName: input.environmentName || undefined,
      statuses: input.statuses?.length ? input.statuses : undefined,
    };
    const pager = new Pager('ListEnvironmentAccountConnections', filter, input);
    const page = pager.page(await this.d.store.page(filter, pager.window), (c) => c.id);
    return {
      environmentAccountConnections: page.items.map((c) => {
        const { codebuildRoleArn: _, ...summary } = connectionView(c);
        return summary;
      }),
      nextToken: page.nextToken,
    };
  }

  async accept(id: string, principal: Principal) {
    const c = await this.requireParty(id, principal, 'management', 'accept');
    if (c.status === 'CONNECTED') return connectionView(c);
    if (c.status === 'REJECTED')
      throw new ConflictError(
        `The connection ${id} was rejected, and a rejected connection cannot be accepted. Ask account ${c.environmentAccountId} to request a new connection.`,
      );
    const moved = await this.d.store.transition(
      id,
      connectionSourcesOf('CONNECTED'),
      'CONNECTED',
      this.d.clock.now(),
      false,
    );
    if (moved) return connectionView(moved);
    return this.raced(id, 'accept');
  }

  async reject(id: string, principal: Principal) {
    const c = await this.requireParty(id, principal, 'management', 'reject');
    if (c.status === 'REJECTED') return connectionView(c);
    const moved = await this.d.store.transition(
      id,
      connectionSourcesOf('REJECTED'),
      'REJECTED',
      this.d.clock.now(),
      true,
    );
    if (moved) return connectionView(moved);
    const using = await this.d.store.environmentsUsing(id);
    if (using.length > 0)
      throw new ConflictError(
        `The connection ${id} is used by the environment ${using.join(', ')}, and a connection in use cannot be rejected. Delete the environment first, or move it to another connection of account ${c.environmentAccountId} with UpdateEnvironment.`,
      );
    return this.raced(id, 'reject');
  }

  async update(input: Roles & { id: string }, principal: Principal) {
    await this.requireParty(input.id, principal, 'environment', 'update');
    const updated = await this.d.store.updateRoles(
      input.id,
      {
        ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
        ...(input.codebuildRoleArn !== undefined
          ? { codebuildRoleArn: input.codebuildRoleArn }
          : {}),
        ...(input.componentRoleArn !== undefined
          ? { componentRoleArn: input.componentRoleArn }
          : {}),
      },
      this.d.clock.now(),
    );
    if (!updated) throw this.notFound(input.id);
    return connectionView(updated);
  }

  /**
   * Deletes a connection (environment account only; idempotent: an absent one answers nothing).
   * As in Proton, a connection in use may be deleted: its environments cannot be deployed until
   * they are moved to a new connection for the same account and environment.
   */
  async delete(id: string, principal: Principal) {
    const account = this.accountOf(principal);
    const c = await this.d.store.get(id);
    if (!c || (c.environmentAccountId !== account && c.managementAccountId !== account))
      return undefined;
    if (c.environmentAccountId !== account)
      throw new AccessDeniedError(
        `Only the environment account ${c.environmentAccountId} can delete the connection ${id}; account ${account} is its management account. Reject it instead (while no environment uses it), or ask account ${c.environmentAccountId} to delete it.`,
      );
    if (!(await this.d.store.delete(id))) return undefined;
    const tags = await this.d.tags.listTags(c.arn);
    if (tags.length)
      await this.d.tags.removeTags(
        c.arn,
        tags.map((t) => t.key),
      );
    return connectionView(c);
  }

  /**
   * The connection an environment of the installation's account is provisioned through, checked
   * for use: it exists, is CONNECTED, names this account as its management account and `name` as
   * its environment.
   */
  async requireUsable(id: string, environmentName: string): Promise<ConnectionRecord> {
    const c = await this.d.store.get(id);
    if (!c || c.managementAccountId !== this.d.arnScope.accountId) throw this.notFound(id);
    if (c.status !== 'CONNECTED')
      throw new ValidationError(
        `environmentAccountConnectionId: the connection ${id} is ${c.status}, not CONNECTED. ${c.status === 'PENDING' ? 'Accept it first with AcceptEnvironmentAccountConnection.' : `Ask account ${c.environmentAccountId} to request a new connection.`}`,
      );
    if (c.environmentName !== environmentName)
      throw new ValidationError(
        `environmentAccountConnectionId: the connection ${id} is for the environment ${c.environmentName}, not ${environmentName}. Use a connection requested for ${environmentName}.`,
      );
    return c;
  }

  find(id: string): Promise<ConnectionRecord | undefined> {
    return this.d.store.get(id);
  }

  private async requireVisible(id: string, account: string): Promise<ConnectionRecord> {
    const c = await this.d.store.get(id);
    if (!c || (c.environmentAccountId !== account && c.managementAccountId !== account))
      throw this.notFound(id);
    return c;
  }

  private async requireParty(
    id: string,
    principal: Principal,
    party: 'management' | 'environment',
    verb: string,
  ): Promise<ConnectionRecord> {
    const account = this.accountOf(principal);
    const c = await this.requireVisible(id, account);
    const owner = party === 'management' ? c.managementAccountId : c.environmentAccountId;
    if (owner !== account)
      throw new AccessDeniedError(
        `Only the ${party} account ${owner} can ${verb} the connection ${id}; account ${account} is its ${party === 'management' ? 'environment' : 'management'} account.`,
      );
    return c;
  }

  private async raced(id: string, verb: string): Promise<never> {
    const now = await this.d.store.get(id);
    if (!now) throw this.notFound(id);
    throw new ConflictError(
      `The connection ${id} changed to ${now.status} while it was being ${verb}ed. Get it and try again.`,
    );
  }

  private notFound(id: string) {
    return new NotFoundError(
      `The environment account connection ${id} does not exist in your account. List them with ListEnvironmentAccountConnections.`,
    );
  }
}
