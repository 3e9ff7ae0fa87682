/** Nucleon's own content-addressed bundle store, addressed like S3 by bucket and key. */
export interface BundleStore {
  putObject(bucket: string, key: string, data: Uint8Array): Promise<{ sha256: string }>;
  getObject(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Immutable copies of version bundles, by content hash. */
  putBlob(data: Uint8Array): Promise<string>;
  getBlob(sha256: string): Promise<Uint8Array | undefined>;
}

/** Where `source.s3 {bucket, key}` is read from: the own store first, then real S3. */
export interface BundleSource {
  fetch(bucket: string, key: string): Promise<Uint8Array>;
}
