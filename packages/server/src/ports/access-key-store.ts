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
}

/** Access keys with their secrets encrypted at rest. */
export interface AccessKeyStore {
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  list(): Promise<AccessKeyRecord[]>;
  insert(record: Omit<AccessKeyRecord, 'createdAt'>): Promise<void>;
  delete(accessKeyId: string): Promise<boolean>;
  /** Deletes scoped keys expired at `now` or whose deployment is no longer running; returns how many. */
  purgeScoped(now: Date): Promise<number>;
}
