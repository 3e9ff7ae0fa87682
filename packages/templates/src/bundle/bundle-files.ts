/**
 * A template bundle held in memory: file contents keyed by normalised, bundle-relative POSIX
 * paths (`schema/schema.yaml`, never `./schema/schema.yaml` or `/schema/schema.yaml`).
 * Folders are implied by the paths; empty folders are not represented.
 */
export type BundleFiles = Map<string, Uint8Array>;

/** The result of normalising an archive or directory entry name. */
export type NormalisedPath =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

const SCHEMA_PATH = 'schema/schema.yaml';

/**
 * Normalises an entry name to a relative POSIX path: drops `./`, empty segments and a trailing
 * slash. Rejects absolute paths, `..` segments, backslashes and control characters, because any
 * of them could place a file outside the bundle when it is later written to disk. The root
 * folder itself (`./`) normalises to the empty string.
 */
export function normaliseBundlePath(name: string): NormalisedPath {
  if (name.length === 0) return { ok: false, reason: 'the entry has an empty name' };

  if (/[\u0000-\u001f\u007f]/.test(name))
    return { ok: false, reason: 'the name contains control characters' };
  if (name.includes('\\'))
    return { ok: false, reason: 'the name contains a backslash; use "/" as the separator' };
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    return { ok: false, reason: 'absolute paths are not allowed' };
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, reason: '".." path segments are not allowed' };
  return { ok: true, path: segments.join('/') };
}

/**
 * Entries that operating-system tools add to archives and that are never part of a bundle:
 * macOS resource forks (`._name`, `__MACOSX/`), Finder's `.DS_Store`, and `.git` folders.
 */
export function isIgnoredBundlePath(path: string): boolean {
  const segments = path.split('/');
  const base = segments[segments.length - 1] ?? '';
  return (
    segments[0] === '__MACOSX' ||
    segments.includes('.git') ||
    base === '.DS_Store' ||
    base.startsWith('._')
  );
}

/**
 * Finds the wrapper folder around a bundle, as produced by `tar czf b.tar.gz mybundle/`. The
 * bundle root is the folder that contains `schema/schema.yaml`; it counts as a wrapper only when
 * it is the only such folder and every path lies inside it. Returns the prefix to strip
 * (`mybundle/`), or `''` when there is none.
 */
export function findBundleRootPrefix(paths: Iterable<string>): string {
  const all = [...paths];
  if (all.includes(SCHEMA_PATH)) return '';
  const roots = all
    .filter((path) => path.endsWith(`/${SCHEMA_PATH}`))
    .map((path) => path.slice(0, path.length - SCHEMA_PATH.length));
  const prefix = roots.length === 1 ? roots[0] : undefined;
  if (prefix === undefined || !all.every((path) => path.startsWith(prefix))) return '';
  return prefix;
}

/**
 * Strips a wrapper folder found by {@link findBundleRootPrefix}. Files without one are returned
 * unchanged; validation then reports what is missing.
 */
export function stripBundleRoot(files: BundleFiles): BundleFiles {
  const prefix = findBundleRootPrefix(files.keys());
  if (prefix === '') return files;
  const stripped: BundleFiles = new Map();
  for (const [path, data] of files) stripped.set(path.slice(prefix.length), data);
  return stripped;
}

/** Sorted list of the paths in a bundle, handy for messages and deterministic output. */
export function listBundlePaths(files: BundleFiles): string[] {
  return [...files.keys()].sort();
}
