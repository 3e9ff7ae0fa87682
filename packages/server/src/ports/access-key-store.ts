export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  description: string | null;
  isRoot: boolean;
  /** Temporary keys may act only on this resource (deployment runners). */
  scopeArn: string | null;
  /** The deployment scoped credentials were minted for; they end with it. */
  deploymentId?: string | null;
  sessionToken: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  /** The user the key belongs to (its grants apply), if any. */
  userName?: string | null;
  /** The key's own role; null: the user's role, or admin for a key with no user (back-compat). */
  role?: string | null;
  /** 'env': the root key configured through NUCLEON_ROOT_*. */
  origin?: string | null;
  /** The account the key acts in; null: the installation's own (ADR 0018). */
  accountId?: string | null;
}

/** Access keys with their secrets encrypted at rest. */
export interface AccessKeyStore {
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  list(): Promise<AccessKeyRecord[]>;
  insert(record: Omit<AccessKeyRecord, 'createdAt'>): Promise<void>;
  delete(accessKeyId: string): Promise<boolean>;
  /** Deletes scoped keys expired at `now` or whose deployment is no longer running; returns how many. */
  purgeScoped(now: Date): Promise<number>;
  /** Deletes the env-sourced root keys other than `keep`; returns their ids. */
  retireEnvRootKeys(keep: string): Promise<string[]>;
}
