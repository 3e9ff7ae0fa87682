const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Size and count limits applied to template bundles. Proton's published quotas (spec §9.9) are
 * kept exactly; the uncompressed and entry-count caps are Nucleon's own guards against archive
 * bombs, sized well above what real bundles need.
 */
export interface BundleLimits {
  /** Largest accepted upload, compressed (Proton: bundle ≤ 5 MB). */
  readonly maxArchiveBytes: number;
  /**
   * Largest uncompressed archive stream (tar headers included) and largest total file content
   * of a bundle directory. Decompression stops as soon as this is exceeded.
   */
  readonly maxUnpackedBytes: number;
  /** Most entries (files, folders, links...) an archive or directory may hold. */
  readonly maxEntries: number;
  /** Largest `manifest.yaml` (Proton: 50 KB). */
  readonly maxManifestBytes: number;
  /** Largest `schema/schema.yaml` (Proton: 50 KB). */
  readonly maxSchemaBytes: number;
  /** Largest other file (Proton: 200 KB). */
  readonly maxFileBytes: number;
  /** Most template files a manifest may name in one infrastructure folder (Proton: 10). */
  readonly maxTemplateFiles: number;
}

/** The limits Nucleon applies unless told otherwise. */
export const DEFAULT_BUNDLE_LIMITS: BundleLimits = Object.freeze({
  maxArchiveBytes: 5 * MiB,
  maxUnpackedBytes: 20 * MiB,
  maxEntries: 500,
  maxManifestBytes: 50 * KiB,
  maxSchemaBytes: 50 * KiB,
  maxFileBytes: 200 * KiB,
  maxTemplateFiles: 10,
});

/** Fills unspecified limits with the defaults. */
export function resolveBundleLimits(limits?: Partial<BundleLimits>): BundleLimits {
  return { ...DEFAULT_BUNDLE_LIMITS, ...limits };
}

/** The size limit that applies to a file at `path` (bundle-relative, or still under a wrapper folder). */
export function fileSizeLimit(path: string, limits: BundleLimits): number {
  if (path === 'schema/schema.yaml' || path.endsWith('/schema/schema.yaml'))
    return limits.maxSchemaBytes;
  if (path === 'manifest.yaml' || path.endsWith('/manifest.yaml')) return limits.maxManifestBytes;
  return limits.maxFileBytes;
}

/** `5242880` → `5 MiB`, `51200` → `50 KiB`, small values in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
