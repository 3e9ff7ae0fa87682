/** Which repository a mirror belongs to and where its remote is. */
export interface MirrorTarget {
  /** The repository's ARN: the mirror is tagged with it and refused to any other repository. */
  arn: string;
  /** The mirror's folder (derived from the ARN, stored in repository_sync). */
  mirror: string;
  remoteUrl: string;
  token: string | null;
}

export interface TreeEntry {
  name: string;
  type: 'tree' | 'blob';
  sha: string;
}

/** A local bare mirror of a linked repository, read by commit. */
export interface RepositoryMirror {
  /** Fetches every branch of the remote into the mirror; returns each branch's commit. */
  fetch(target: MirrorTarget, signal?: AbortSignal): Promise<Map<string, string>>;
  /** Makes sure `commit` is in this machine's mirror, fetching when it is not. */
  ensure(target: MirrorTarget, commit: string, signal?: AbortSignal): Promise<void>;
  /** Is `older` an ancestor of (or equal to) `newer`? */
  isAncestor(target: MirrorTarget, older: string, newer: string): Promise<boolean>;
  /** The entries of a folder at a commit ('' is the root); undefined when it is not a folder. */
  list(target: MirrorTarget, commit: string, path: string): Promise<TreeEntry[] | undefined>;
  /** Every folder of the commit's tree, as paths. */
  folders(target: MirrorTarget, commit: string): Promise<string[]>;
  /** A file's text at a commit; undefined when it does not exist. */
  read(target: MirrorTarget, commit: string, path: string): Promise<string | undefined>;
  /** A .tar.gz of a folder at a commit, its contents at the archive's root. */
  archive(target: MirrorTarget, commit: string, path: string): Promise<Uint8Array>;
}
