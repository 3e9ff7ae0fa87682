import { ValidationError } from '@nucleon/core';
import {
  DEFAULT_BUNDLE_LIMITS,
  describeLimit,
  formatBytes,
  type BundleLimits,
} from '@nucleon/templates';
import type { BundleStore } from '../ports/bundle-store.js';

/** Nucleon's own bundle store, filled by `nucleon bundle push`. */
export class BundlesService {
  constructor(
    private readonly store: BundleStore,
    private readonly defaultBucket: string,
    /** Only `maxArchiveBytes` applies here (Proton's 5 MB unless configured). */
    private readonly limits: BundleLimits = DEFAULT_BUNDLE_LIMITS,
  ) {}

  async put(input: { bucket?: string; key: string; content: string }) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.content)) {
      throw new ValidationError('content must be the bundle archive (.tar.gz) encoded in base64.');
    }
    const data = new Uint8Array(Buffer.from(input.content, 'base64'));
    if (data.byteLength > this.limits.maxArchiveBytes) {
      throw new ValidationError(
        `The bundle archive is ${formatBytes(data.byteLength)}, over the bundle size limit: ${describeLimit('maxArchiveBytes', this.limits)}. Make the bundle smaller (leave out files the commands do not need), or raise the limit on the server.`,
      );
    }
    if (input.key.split('/').some((part) => part === '..' || part === '.')) {
      throw new ValidationError('The key may not contain "." or ".." segments.');
    }
    const bucket = input.bucket ?? this.defaultBucket;
    const { sha256 } = await this.store.putObject(bucket, input.key, data);
    return { s3: { bucket, key: input.key }, sha256, size: data.byteLength };
  }
}
