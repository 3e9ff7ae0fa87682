import { createGunzip } from 'node:zlib';
import { ValidationError } from '@nucleon/core';
import {
  isIgnoredBundlePath,
  normaliseBundlePath,
  stripBundleRoot,
  type BundleFiles,
} from './bundle-files.js';
import {
  BUNDLE_LIMIT_SETTINGS,
  describeLimit,
  fileSizeLimit,
  formatBytes,
  resolveBundleLimits,
  type BundleLimits,
} from './bundle-limits.js';
import { looksLikeTar, readTarEntries, TarFormatError, type TarEntry } from './tar-reader.js';

/**
 * Unpacks an uploaded template bundle (`.tar.gz`, or a plain `.tar`) entirely in memory; nothing
 * is written to disk. Gzip is recognised by its magic bytes and decompressed as a stream with a
 * running byte cap, so a decompression bomb is stopped as soon as it passes
 * `limits.maxUnpackedBytes`. Rejects, with a {@link ValidationError} naming the entry: absolute
 * paths, `..` segments, links, devices and FIFOs, duplicate files, too many entries, and files
 * over their size limit. A single wrapper folder around the bundle is stripped.
 */
export async function unpackBundleArchive(
  data: Uint8Array,
  limits?: Partial<BundleLimits>,
): Promise<BundleFiles> {
  const resolved = resolveBundleLimits(limits);
  if (data.length > resolved.maxArchiveBytes) {
    throw new ValidationError(
      `bundle archive is ${formatBytes(data.length)}; ${describeLimit('maxArchiveBytes', resolved)}`,
    );
  }
  const tar = await decompressIfNeeded(data, resolved);
  try {
    return stripBundleRoot(extractTar(tar, resolved));
  } catch (error) {
    if (error instanceof TarFormatError) {
      throw new ValidationError(`bundle archive is not a valid tar archive: ${error.message}`);
    }
    throw error;
  }
}

async function decompressIfNeeded(data: Uint8Array, limits: BundleLimits): Promise<Uint8Array> {
  if (data[0] === 0x1f && data[1] === 0x8b) {
    const tar = await gunzipCapped(data, limits.maxUnpackedBytes);
    if (!looksLikeTar(tar) && !isEmptyTar(tar)) {
      throw new ValidationError('bundle archive is gzip data but does not contain a tar archive');
    }
    return tar;
  }
  if (data[0] === 0x50 && data[1] === 0x4b) {
    throw new ValidationError(
      'bundle archive is a zip file; upload a gzipped tarball instead (tar czf bundle.tar.gz -C <dir> .)',
    );
  }
  if (looksLikeTar(data) || isEmptyTar(data)) return data;
  throw new ValidationError(
    'bundle archive is neither a .tar.gz nor a .tar file (create one with: tar czf bundle.tar.gz -C <dir> .)',
  );
}

function isEmptyTar(data: Uint8Array): boolean {
  return data.length >= 1024 && data.subarray(0, 1024).every((byte) => byte === 0);
}

/**
 * Gunzips with a running cap on the output size. The stream is destroyed as soon as the cap is
 * passed, so at most about `cap` bytes (plus one chunk) are ever produced.
 */
function gunzipCapped(data: Uint8Array, cap: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > cap) {
        fail(
          new ValidationError(
            `bundle archive expands to more than ${formatBytes(cap)} when decompressed; the limit is ${formatBytes(cap)} uncompressed (${BUNDLE_LIMIT_SETTINGS.maxUnpackedBytes})`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    gunzip.on('error', (error: Error) => {
      fail(new ValidationError(`bundle archive is not valid gzip data: ${error.message}`));
    });
    gunzip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    gunzip.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
}

function extractTar(tar: Uint8Array, limits: BundleLimits): BundleFiles {
  const files: BundleFiles = new Map();
  let entries = 0;
  let totalBytes = 0;
  for (const entry of readTarEntries(tar)) {
    entries += 1;
    if (entries > limits.maxEntries) {
      throw new ValidationError(
        `bundle archive has more than ${limits.maxEntries} entries; ${describeLimit('maxEntries', limits)}`,
      );
    }
    const path = checkEntry(entry);
    if (path === undefined) continue;
    const limit = fileSizeLimit(path, limits);
    if (limit !== undefined && entry.size > limit.bytes) {
      throw new ValidationError(
        `bundle file "${path}" is ${formatBytes(entry.size)}; ${describeLimit(limit.key, limits)}`,
      );
    }
    if (files.has(path)) {
      throw new ValidationError(`bundle archive contains "${path}" more than once`);
    }
    totalBytes += entry.size;
    if (totalBytes > limits.maxUnpackedBytes) {
      throw new ValidationError(
        `bundle files add up to more than ${formatBytes(limits.maxUnpackedBytes)}; ${describeLimit('maxUnpackedBytes', limits)}`,
      );
    }
    files.set(path, new Uint8Array(entry.data)); // a copy: entries must not pin the whole archive
  }
  rejectFileFolderClashes(files);
  return files;
}

/** `schema` as a file and `schema/schema.yaml` cannot both be written to disk later. */
function rejectFileFolderClashes(files: BundleFiles): void {
  const paths = [...files.keys()].sort();
  for (const [i, path] of paths.entries()) {
    const next = paths[i + 1];
    if (next?.startsWith(`${path}/`)) {
      throw new ValidationError(`bundle archive has both a file and a folder named "${path}"`);
    }
  }
}

const FORBIDDEN_TYPES: Partial<Record<TarEntry['type'], string>> = {
  symlink: 'a symbolic link',
  hardlink: 'a hard link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO (named pipe)',
};

/** Returns the normalised path of a regular file to keep, undefined to skip, or throws. */
function checkEntry(entry: TarEntry): string | undefined {
  const normalised = normaliseBundlePath(entry.name);
  if (!normalised.ok) {
    throw new ValidationError(
      `bundle archive entry "${entry.name}" is rejected: ${normalised.reason}`,
    );
  }
  const forbidden = FORBIDDEN_TYPES[entry.type];
  if (forbidden !== undefined) {
    const target = entry.linkName === '' ? '' : ` (to "${entry.linkName}")`;
    throw new ValidationError(
      `bundle archive entry "${entry.name}" is ${forbidden}${target}; bundles may contain only regular files and folders`,
    );
  }
  if (entry.type === 'unsupported') {
    throw new ValidationError(
      `bundle archive entry "${entry.name}" has unsupported tar entry type "${entry.typeFlag}"; bundles may contain only regular files and folders`,
    );
  }
  if (
    entry.type === 'directory' ||
    normalised.path === '' ||
    isIgnoredBundlePath(normalised.path)
  ) {
    return undefined;
  }
  return normalised.path;
}
