import { ValidationError } from '@nucleon/core';
import type { BundleStore } from '../ports/bundle-store.js';

/** 5 MB, Proton's bundle size limit. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

/** Nucleon's own bundle store, filled by `nucleon bundle push`. */
export class BundlesService {
  constructor(
    private readonly store: BundleStore,
    private readonly defaultBucket: string,
  ) {}

  async put(input: { bucket?: string; key: string; content: string }) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.content)) {
      throw new ValidationError('content must be the bundle archive (.tar.gz) encoded in base64.');
    }
    const data = new Uint8Array(Buffer.from(input.content, 'base64'));
    if (data.byteLength > MAX_BUNDLE_BYTES) {
      throw new ValidationError(
        `The bundle is ${data.byteLength} bytes; bundles may be at most ${MAX_BUNDLE_BYTES} bytes (5 MB), as in Proton.`,
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
