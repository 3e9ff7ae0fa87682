import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ValidationError } from '@nucleon/core';
import { findBundleRootPrefix } from './bundle-files.js';
import {
  describeLimit,
  formatBytes,
  resolveBundleLimits,
  type BundleLimits,
} from './bundle-limits.js';
import { walkBundleDirectory } from './read-bundle-directory.js';
import { encodeTar } from './tar-writer.js';

const gzipAsync = promisify(gzip);

/**
 * Packs a bundle folder into a `.tar.gz` that {@link unpackBundleArchive} accepts: files only,
 * sorted, with paths relative to the bundle root (a wrapper folder is stripped), fixed
 * timestamps and owners, and the executable bit kept. The folder is checked against the same
 * limits first, and the result against `maxArchiveBytes`, so a bundle that the server would
 * refuse fails here with the same message.
 */
export async function packBundleDirectory(
  dir: string,
  limits?: Partial<BundleLimits>,
): Promise<Uint8Array> {
  const resolved = resolveBundleLimits(limits);
  const found = await walkBundleDirectory(dir, resolved);
  const prefix = findBundleRootPrefix(found.map((file) => file.path));
  const entries = found.map((file) => ({
    name: file.path.slice(prefix.length),
    type: 'file' as const,
    data: file.data,
    mode: file.mode & 0o111 ? 0o755 : 0o644,
  }));
  const archive = new Uint8Array(await gzipAsync(encodeTar(entries), { level: 9 }));
  if (archive.length > resolved.maxArchiveBytes) {
    throw new ValidationError(
      `packed bundle is ${formatBytes(archive.length)}; ${describeLimit('maxArchiveBytes', resolved)}`,
    );
  }
  return archive;
}
