import { randomBytes } from 'node:crypto';
import { NotFoundError } from '@nucleon/core';
import type { AccessKeyRecord, AccessKeyStore } from '../ports/access-key-store.js';
import type { Clock } from '../ports/clock.js';
import type { Principal } from './request-context.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** New access key ids look like AWS's: a 4-letter prefix and 16 base32 characters. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
  const bytes = randomBytes(16);
  return prefix + [...bytes].map((b) => ID_ALPHABET[b % 32]).join('');
}

export function newSecretAccessKey(): string {
  return randomBytes(30)
    .toString('base64')
    .replace(/[+/]/g, (ch) => (ch === '+' ? 'X' : 'Y'));
}

interface Cached {
  record: AccessKeyRecord | undefined;
  at: number;
}

/**
 * Access keys and who they authenticate. Lookups are cached briefly (keys are read on every
 * request); a deleted or changed key stops working on this replica at once and on others as soon
 * as PostgreSQL's notification reaches them (the composition root calls `forget`; ADR 0025), and
 * within `cacheMs` should a notification be lost. Scoped (deployment) credentials are never
 * cached: they are revoked in the database by the transaction that ends their deployment.
 */
export class AccessKeysService {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly store: AccessKeyStore,
    private readonly clock: Clock,
    private readonly cacheMs = 10_000,
  ) {}

  async lookup(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(accessKeyId);
    let record = hit && now - hit.at < this.cacheMs ? hit.record : undefined;
    if (!hit || now - hit.at >= this.cacheMs) {
      record = await this.store.get(accessKeyId);
      if (this.cache.size > 10_000) this.cache.clear();
      if (!record?.scopeArn) this.cache.set(accessKeyId, { record, at: now });
    }
    if (record?.expiresAt && record.expiresAt.getTime() <= now) return undefined;
    return record;
  }

  principalOf(record: AccessKeyRecord): Principal {
    if (record.scopeArn)
      return { accessKeyId: record.accessKeyId, kind: 'scoped', scopeArn: record.scopeArn };
    return record.accountId
      ? { accessKeyId: record.accessKeyId, kind: 'admin', accountId: record.accountId }
      : { accessKeyId: record.accessKeyId, kind: 'admin' };
  }

  async create(
    description: string | null,
    isRoot = false,
    fixed?: { accessKeyId: string; secretAccessKey: string },
    owner: {
      userName?: string | null;
      role?: string | null;
      origin?: string | null;
      accountId?: string | null;
    } = {},
  ) {
    const record = {
      userName: owner.userName ?? null,
      role: owner.role ?? null,
      origin: owner.origin ?? null,
      accountId: owner.accountId ?? null,
      accessKeyId: fixed?.accessKeyId ?? newAccessKeyId(),
      secretAccessKey: fixed?.secretAccessKey ?? newSecretAccessKey(),
      description,
      isRoot,
      scopeArn: null,
      sessionToken: null,
      expiresAt: null,
    };
    await this.store.insert(record);
    this.cache.delete(record.accessKeyId);
    return record;
  }

  /**
   * Short-lived credentials allowed only to report on one resource (deployment runners). Tied to
   * their deployment, they are deleted when it ends, whichever way it ends.
   */
  async mintScoped(scopeArn: string, ttlMs: number, deploymentId: string | null = null) {
    const record = {
      accessKeyId: newAccessKeyId('ASIA'),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: randomBytes(32).toString('base64'),
      description: `deployment credentials for ${scopeArn}`,
      isRoot: false,
      scopeArn,
      deploymentId,
      expiresAt: new Date(this.clock.now().getTime() + ttlMs),
    };
    await this.store.insert(record);
    return record;
  }

  /**
   * Accepts credentials issued elsewhere (STS AssumeRole for a codebuildRoleArn) as scoped keys,
   * so the one set of credentials the commands hold serves both the cloud and Nucleon.
   */
  async registerScoped(
    credentials: {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      expiresAt: Date;
    },
    scopeArn: string,
    deploymentId: string | null = null,
  ) {
    await this.store.insert({
      ...credentials,
      description: `assumed-role credentials for ${scopeArn}`,
      isRoot: false,
      scopeArn,
      deploymentId,
    });
    this.cache.delete(credentials.accessKeyId);
  }

  list() {
    return this.store.list();
  }

  /** Deletes scoped credentials that expired or whose deployment has ended; returns how many. */
  purgeScoped(): Promise<number> {
    return this.store.purgeScoped(this.clock.now());
  }

  /**
   * Drops cached lookups of keys deleted elsewhere (with their user). This is the invalidation
   * hook for other processes too: a replica that hears of a deleted key (e.g. by a database
   * notification) calls it, and that key stops working there at once instead of within `cacheMs`.
   */
  forget(accessKeyIds: readonly string[]): void {
    for (const id of accessKeyIds) this.cache.delete(id);
  }

  /** Drops every cached lookup (notifications may have been missed while disconnected). */
  forgetAll(): void {
    this.cache.clear();
  }

  /** Deletes the env-sourced root keys other than `keep` (NUCLEON_ROOT_* changed). */
  async retireEnvRootKeys(keep: string): Promise<string[]> {
    const retired = await this.store.retireEnvRootKeys(keep);
    this.forget(retired);
    return retired;
  }

  async delete(accessKeyId: string): Promise<void> {
    this.cache.delete(accessKeyId);
    if (!(await this.store.delete(accessKeyId))) {
      throw new NotFoundError(
        `No access key ${accessKeyId}. Run \`nucleon keys list\` to see the keys.`,
      );
    }
  }
}
