import type { S3Client } from '@aws-sdk/client-s3';
import { NotFoundError } from '@nucleon/core';
import { BUNDLE_LIMIT_SETTINGS, formatBytes } from '@nucleon/templates';
import type { BundleSource, BundleStore } from '../../ports/bundle-store.js';

/**
 * Reads `source.s3 {bucket, key}`: from Nucleon's own bundle store when it holds that object,
 * otherwise from real S3 through the AWS SDK's default credential and endpoint chain (so
 * AWS_PROFILE, AWS_ENDPOINT_URL_S3 and instance roles all work).
 */
export class StoreThenS3BundleSource implements BundleSource {
  private s3: S3Client | undefined;

  constructor(
    private readonly store: BundleStore,
    private readonly region: string,
    private readonly maxBytes: number,
    /** Path-style addressing, for S3-compatible stores (MinIO, moto) at a custom endpoint. */
    private readonly forcePathStyle = false,
  ) {}

  async fetch(bucket: string, key: string): Promise<Uint8Array> {
    const own = await this.store.getObject(bucket, key);
    if (own) return own;
    // Loaded on first use: most installations never read bundles from S3, and start faster.
    const { GetObjectCommand, S3Client: Client } = await import('@aws-sdk/client-s3');
    this.s3 ??= new Client({
      region: this.region,
      maxAttempts: 2,
      forcePathStyle: this.forcePathStyle,
    });
    let response;
    try {
      response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new NotFoundError(
        `s3://${bucket}/${key} is not in Nucleon's bundle store, and reading it from S3 failed (${e.name ?? 'Error'}: ${e.message ?? ''}). Push the bundle with \`nucleon bundle push\`, or check the AWS credentials and endpoint Nucleon runs with.`,
      );
    }
    if ((response.ContentLength ?? 0) > this.maxBytes) {
      throw new NotFoundError(
        `s3://${bucket}/${key} is ${formatBytes(response.ContentLength ?? 0)}, over the bundle size limit: the limit is ${formatBytes(this.maxBytes)} (${BUNDLE_LIMIT_SETTINGS.maxArchiveBytes}).`,
      );
    }
    const bytes = await response.Body?.transformToByteArray();
    if (!bytes) throw new NotFoundError(`s3://${bucket}/${key} is empty.`);
    return bytes;
  }
}
