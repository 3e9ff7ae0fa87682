export interface RepositoryRecord {
  provider: string;
  name: string;
  arn: string;
  connectionArn: string;
  encryptionKey: string | null;
  /** Where Nucleon clones and pushes (local path, ssh:// or git@…, https://). */
  remoteUrl: string | null;
  /** HTTPS token, decrypted. */
  token: string | null;
  createdAt: Date;
}

/** What ListRepositories shows of a repository. */
export type RepositorySummary = Pick<
  RepositoryRecord,
  'provider' | 'name' | 'arn' | 'connectionArn' | 'encryptionKey'
>;

/** Linked repositories (Proton's CreateRepository) and their git remotes. */
export interface RepositoryStore {
  get(provider: string, name: string): Promise<RepositoryRecord | undefined>;
  list(): Promise<RepositoryRecord[]>;
  /**
   * One keyset page of repositories by (provider, name), after the given pair; without their
   * remotes or tokens (ADR 0029).
   */
  page(
    filter: { provider?: string | undefined },
    page: { after?: readonly [string, string] | undefined; limit: number },
  ): Promise<RepositorySummary[]>;
  insert(record: RepositoryRecord): Promise<boolean>;
  setRemote(
    provider: string,
    name: string,
    remoteUrl: string,
    token: string | null,
  ): Promise<boolean>;
  delete(provider: string, name: string): Promise<boolean>;
}

/** Commits files to a branch of a repository and pushes them. */
export interface GitPublisher {
  publish(request: {
    remoteUrl: string;
    token: string | null;
    branch: string;
    /** Folder in the repository that receives the files (replaced as a whole). */
    folder: string;
    files: ReadonlyMap<string, Uint8Array | string>;
    message: string;
    signal?: AbortSignal;
  }): Promise<{ commit: string; folder: string }>;
}
