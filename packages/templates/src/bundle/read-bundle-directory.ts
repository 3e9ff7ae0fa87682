import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ValidationError } from '@nucleon/core';
import { isIgnoredBundlePath, stripBundleRoot, type BundleFiles } from './bundle-files.js';
import {
  describeLimit,
  fileSizeLimit,
  formatBytes,
  resolveBundleLimits,
  type BundleLimits,
} from './bundle-limits.js';

/** A regular file found in a bundle folder. */
export interface BundleDirectoryFile {
  /** Bundle-relative POSIX path. */
  readonly path: string;
  readonly data: Uint8Array;
  /** Permission bits of the file on disk (so executables stay executable when packed). */
  readonly mode: number;
}

/**
 * Reads a bundle folder from disk into memory, with the same limits as
 * {@link unpackBundleArchive}. `.git` folders and OS clutter (`.DS_Store`, `._*`) are skipped.
 * A symbolic link is followed only when it points to a file inside the folder; links that
 * point outside it, to folders, or nowhere are rejected, as are sockets, devices and FIFOs.
 */
export async function readBundleDirectory(
  dir: string,
  limits?: Partial<BundleLimits>,
): Promise<BundleFiles> {
  const files: BundleFiles = new Map();
  for (const file of await walkBundleDirectory(dir, limits)) files.set(file.path, file.data);
  return stripBundleRoot(files);
}

interface WalkState {
  readonly root: string;
  readonly realRoot: string;
  readonly limits: BundleLimits;
  readonly files: BundleDirectoryFile[];
  entries: number;
  totalBytes: number;
}

/**
 * Lists the regular files of a bundle folder, sorted by path, enforcing the bundle limits.
 * @internal shared by {@link readBundleDirectory} and `packBundleDirectory`.
 */
export async function walkBundleDirectory(
  dir: string,
  limits?: Partial<BundleLimits>,
): Promise<BundleDirectoryFile[]> {
  const rootStat = await stat(dir).catch(() => undefined);
  if (rootStat === undefined || !rootStat.isDirectory()) {
    throw new ValidationError(`bundle folder "${dir}" does not exist or is not a folder`);
  }
  const state: WalkState = {
    root: dir,
    realRoot: await realpath(dir),
    limits: resolveBundleLimits(limits),
    files: [],
    entries: 0,
    totalBytes: 0,
  };
  await walk(state, dir);
  return state.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(state: WalkState, folder: string): Promise<void> {
  const children = await readdir(folder, { withFileTypes: true });
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const absolute = join(folder, child.name);
    const path = relative(state.root, absolute).split(sep).join('/');
    if (isIgnoredBundlePath(path)) continue;
    state.entries += 1;
    if (state.entries > state.limits.maxEntries) {
      throw new ValidationError(
        `bundle folder has more than ${state.limits.maxEntries} entries; ${describeLimit('maxEntries', state.limits)}`,
      );
    }
    if (child.isDirectory()) {
      await walk(state, absolute);
    } else if (child.isFile()) {
      await addFile(state, absolute, path);
    } else if (child.isSymbolicLink()) {
      await addLinkedFile(state, absolute, path);
    } else {
      throw new ValidationError(
        `bundle file "${path}" is not a regular file (socket, device or FIFO); remove it from the bundle folder`,
      );
    }
  }
}

async function addLinkedFile(state: WalkState, absolute: string, path: string): Promise<void> {
  const target = await realpath(absolute).catch(() => undefined);
  if (target === undefined) {
    throw new ValidationError(`bundle file "${path}" is a symbolic link that points nowhere`);
  }
  const inside = relative(state.realRoot, target);
  if (
    inside === '' ||
    inside.startsWith('..') ||
    inside.startsWith(sep) ||
    /^[A-Za-z]:/.test(inside)
  ) {
    throw new ValidationError(
      `bundle file "${path}" is a symbolic link to "${target}", outside the bundle folder; copy the file in instead`,
    );
  }
  const targetStat = await lstat(target);
  if (!targetStat.isFile()) {
    throw new ValidationError(
      `bundle file "${path}" is a symbolic link to a folder or special file; only links to files are followed`,
    );
  }
  await addFile(state, target, path);
}

async function addFile(state: WalkState, absolute: string, path: string): Promise<void> {
  const info = await stat(absolute);
  const limit = fileSizeLimit(path, state.limits);
  if (limit !== undefined && info.size > limit.bytes) {
    throw new ValidationError(
      `bundle file "${path}" is ${formatBytes(info.size)}; ${describeLimit(limit.key, state.limits)}`,
    );
  }
  state.totalBytes += info.size;
  if (state.totalBytes > state.limits.maxUnpackedBytes) {
    throw new ValidationError(
      `bundle files add up to more than ${formatBytes(state.limits.maxUnpackedBytes)}; ${describeLimit('maxUnpackedBytes', state.limits)}`,
    );
  }
  const data = new Uint8Array(await readFile(absolute));
  state.files.push({ path, data, mode: info.mode & 0o777 });
}
