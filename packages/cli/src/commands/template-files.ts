import { chmod, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isIgnoredBundlePath } from '@nucleon/templates';
import { TemplateToolkitError } from './template-errors.js';

/** Files keyed by POSIX paths relative to some folder. */
export type FileTree = Map<string, Uint8Array>;

/**
 * Checks that `path` is a plain relative POSIX path that stays inside its folder: no absolute
 * path, no `..` or `.` segment, no backslash or NUL. Throws {@link TemplateToolkitError} otherwise.
 */
export function assertSafeRelativePath(path: string): void {
  const segments = path.split('/');
  const bad =
    path === '' ||
    isAbsolute(path) ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\\') ||
    path.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad)
    throw new TemplateToolkitError([
      `refusing to write "${path}": computed output paths must stay inside the output folder`,
    ]);
}

/** Joins `outDir` and a path checked by {@link assertSafeRelativePath}, and checks the result is inside `outDir`. */
export function resolveInside(outDir: string, path: string): string {
  assertSafeRelativePath(path);
  const root = resolve(outDir);
  const target = resolve(root, ...path.split('/'));
  if (!target.startsWith(root + sep)) {
    throw new TemplateToolkitError([`refusing to write "${path}": it resolves outside ${outDir}`]);
  }
  return target;
}

/**
 * Writes every file under `outDir`, creating folders, with the permission bits in `modes` where
 * given. Nothing is written outside `outDir`, also not through a symbolic link inside it.
 * Returns the relative paths written, sorted.
 */
export async function writeFileTree(
  outDir: string,
  files: FileTree,
  modes?: ReadonlyMap<string, number>,
): Promise<string[]> {
  const targets = [...files.keys()]
    .sort()
    .map((path) => ({ path, target: resolveInside(outDir, path) }));
  await mkdir(outDir, { recursive: true });
  const realRoot = await realpath(outDir);
  for (const { path, target } of targets) {
    await mkdir(dirname(target), { recursive: true });
    const realParent = await realpath(dirname(target));
    if (realParent !== realRoot && !realParent.startsWith(realRoot + sep)) {
      throw new TemplateToolkitError([
        `refusing to write "${path}": a symbolic link in ${outDir} leads outside it`,
      ]);
    }
    await writeFile(target, files.get(path) ?? new Uint8Array());
    const mode = modes?.get(path);
    if (mode !== undefined) await chmod(target, mode);
  }
  return targets.map((t) => t.path);
}

/**
 * Reads every regular file under `dir` (recursively, dot-files included, OS clutter such as
 * `.DS_Store` skipped); empty when `dir` does not exist.
 */
export async function readFileTree(dir: string): Promise<FileTree> {
  const tree: FileTree = new Map();
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    for (const entry of entries) {
      const absolute = join(folder, entry.name);
      const path = relative(dir, absolute).split(sep).join('/');
      if (isIgnoredBundlePath(path)) continue;
      if (entry.isDirectory()) await walk(absolute);
      else if (entry.isFile()) tree.set(path, new Uint8Array(await readFile(absolute)));
    }
  };
  await walk(dir);
  return tree;
}

/** Deletes files under `dir` (paths from {@link readFileTree}). */
export async function removeFiles(dir: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) await rm(resolveInside(dir, path), { force: true });
}

/** Joins a workspace sub-folder and a path inside it (`''` means no sub-folder). */
export function joinTreePath(folder: string, path: string): string {
  return folder === '' ? path : `${folder}/${path}`;
}
