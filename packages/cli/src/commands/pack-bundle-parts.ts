import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packBundleDirectory } from '@nucleon/templates';

/** The folders of a bundle that template registration reads; everything else stays out. */
export const BUNDLE_PARTS = [
  'schema',
  'infrastructure',
  'instance_infrastructure',
  'pipeline_infrastructure',
] as const;

/** A bundle folder packed as .tar.gz, and what in the folder was not part of the bundle. */
export interface PackedBundleParts {
  readonly data: Uint8Array;
  /** Top-level entries left out (`spec/`, `README.md`, …), sorted. */
  readonly leftOut: readonly string[];
}

/**
 * Packs what a bundle is: `schema/` and the infrastructure folders, as Proton's registration reads
 * them, leaving out example specs, tests and READMEs that sit beside them (Proton's sample
 * repositories keep `spec/` there). The same parts always pack to the same bytes. A folder
 * without `schema/schema.yaml` at its root (a bundle wrapped in one more folder) is packed whole.
 */
export async function packBundleParts(dir: string): Promise<PackedBundleParts> {
  if (!existsSync(join(dir, 'schema', 'schema.yaml')))
    return { data: await packBundleDirectory(dir), leftOut: [] };
  const parts: readonly string[] = BUNDLE_PARTS;
  const leftOut = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !parts.includes(e.name) && e.name !== '.git' && e.name !== '.DS_Store')
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
  const staging = await mkdtemp(join(tmpdir(), 'nucleon-bundle-'));
  try {
    for (const part of BUNDLE_PARTS) {
      const from = join(dir, part);
      if (existsSync(from))
        await cp(from, join(staging, part), { recursive: true, preserveTimestamps: false });
    }
    return { data: await packBundleDirectory(staging), leftOut };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
