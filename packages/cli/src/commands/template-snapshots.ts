import { readFileTree, removeFiles, writeFileTree, type FileTree } from './template-files.js';

/** What comparing (or updating) one fixture's snapshots found. */
export interface SnapshotOutcome {
  /** Why the snapshots do not match; empty when they do (or were updated). */
  readonly failures: readonly string[];
  /** What `--update` changed, e.g. `snapshots updated: 2 written, 1 removed`. */
  readonly note?: string;
}

const decoder = new TextDecoder();

/**
 * Compares rendered files with the snapshots stored in `snapshotDir` (same relative paths, byte
 * for byte). With `update`, new and changed files are written and snapshots that are no longer
 * rendered are removed, and the fixture passes. `displayDir` names the folder in messages.
 */
export async function checkSnapshots(
  snapshotDir: string,
  displayDir: string,
  rendered: FileTree,
  update: boolean,
): Promise<SnapshotOutcome> {
  const stored = await readFileTree(snapshotDir);
  const missing = [...rendered.keys()].filter((path) => !stored.has(path)).sort();
  const changed = [...rendered.keys()]
    .filter((path) => stored.has(path) && !sameBytes(stored.get(path), rendered.get(path)))
    .sort();
  const obsolete = [...stored.keys()].filter((path) => !rendered.has(path)).sort();
  if (update) {
    if (missing.length + changed.length + obsolete.length === 0)
      return { failures: [], note: 'snapshots up to date' };
    const toWrite: FileTree = new Map(
      [...missing, ...changed].map((path) => [path, rendered.get(path) ?? new Uint8Array()]),
    );
    await writeFileTree(snapshotDir, toWrite);
    await removeFiles(snapshotDir, obsolete);
    return {
      failures: [],
      note: `snapshots updated: ${toWrite.size} written, ${obsolete.length} removed`,
    };
  }
  if (stored.size === 0) {
    return {
      failures: [
        `${displayDir}: no snapshots yet; run nucleon template test with --update to create them`,
      ],
    };
  }
  return {
    failures: [
      ...missing.map(
        (path) =>
          `${displayDir}/${path}: no snapshot for this rendered file; run with --update to create it`,
      ),
      ...changed.map(
        (path) =>
          `${displayDir}/${path}: ${firstDifference(stored.get(path), rendered.get(path))}; run with --update to accept the change`,
      ),
      ...obsolete.map(
        (path) =>
          `${displayDir}/${path}: this file is no longer rendered; run with --update to remove it`,
      ),
    ],
  };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/** `differs at line 12: snapshot "  Port: 80", rendered "  Port: 8080"`. */
function firstDifference(stored: Uint8Array | undefined, rendered: Uint8Array | undefined): string {
  const before = decoder.decode(stored ?? new Uint8Array()).split('\n');
  const after = decoder.decode(rendered ?? new Uint8Array()).split('\n');
  const length = Math.max(before.length, after.length);
  for (let i = 0; i < length; i += 1) {
    if (before[i] !== after[i]) {
      return `differs at line ${i + 1}: snapshot ${show(before[i])}, rendered ${show(after[i])}`;
    }
  }
  return 'differs (in bytes that are not valid text)';
}

function show(line: string | undefined): string {
  if (line === undefined) return '(end of file)';
  return JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line);
}
