const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Size and count limits applied to template bundles. Proton's published quotas (spec §4.1, §9.9)
 * are the defaults: a bundle of at most 5 MB, a manifest and a schema of at most 50 KB, each
 * *template* file (the files a manifest names) at most 200 KB. Other files (a `package-lock.json`,
 * a diagram, code a CodeBuild command runs) have no limit of their own: they count toward the
 * bundle only. The uncompressed and entry-count caps are Nucleon's own guards against archive
 * bombs, sized well above what real bundles need. A server sets each from the environment
 * variable in {@link BUNDLE_LIMIT_SETTINGS} (ADR 0016).
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
  /**
   * Largest template file: the CloudFormation or Terraform files a manifest names (`"*"`: every
   * `.tf` file of the folder) (Proton: 200 KB). Other files count toward the bundle only.
   */
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

/** The server setting (environment variable) that sets each limit; named in limit messages. */
export const BUNDLE_LIMIT_SETTINGS: Readonly<Record<keyof BundleLimits, string>> = Object.freeze({
  maxArchiveBytes: 'NUCLEON_BUNDLE_MAX_BYTES',
  maxUnpackedBytes: 'NUCLEON_BUNDLE_MAX_UNPACKED_BYTES',
  maxEntries: 'NUCLEON_BUNDLE_MAX_FILES',
  maxManifestBytes: 'NUCLEON_MANIFEST_MAX_BYTES',
  maxSchemaBytes: 'NUCLEON_SCHEMA_MAX_BYTES',
  maxFileBytes: 'NUCLEON_TEMPLATE_FILE_MAX_BYTES',
  maxTemplateFiles: 'NUCLEON_TEMPLATE_MAX_FILES',
});

/**
 * How a limit message ends: `the limit is 200 KiB (NUCLEON_TEMPLATE_FILE_MAX_BYTES)`, with the
 * value formatted as bytes or as a count.
 */
export function describeLimit(key: keyof BundleLimits, limits: BundleLimits): string {
  const value = limits[key];
  const shown =
    key === 'maxEntries' || key === 'maxTemplateFiles' ? String(value) : formatBytes(value);
  return `the limit is ${shown} (${BUNDLE_LIMIT_SETTINGS[key]})`;
}

/** Fills unspecified limits with the defaults. */
export function resolveBundleLimits(limits?: Partial<BundleLimits>): BundleLimits {
  return { ...DEFAULT_BUNDLE_LIMITS, ...limits };
}

/**
 * The limit of its own that applies to a file at `path` (bundle-relative, or still under a
 * wrapper folder) before any manifest is read: the schema's and the manifests'. Undefined for
 * every other file; the files a manifest names are checked against `maxFileBytes` once the
 * manifest is parsed (`validateBundle`).
 */
export function fileSizeLimit(
  path: string,
  limits: BundleLimits,
): { readonly key: 'maxSchemaBytes' | 'maxManifestBytes'; readonly bytes: number } | undefined {
  if (path === 'schema/schema.yaml' || path.endsWith('/schema/schema.yaml'))
    return { key: 'maxSchemaBytes', bytes: limits.maxSchemaBytes };
  if (path === 'manifest.yaml' || path.endsWith('/manifest.yaml'))
    return { key: 'maxManifestBytes', bytes: limits.maxManifestBytes };
  return undefined;
}

/** `5242880` → `5 MiB`, `51200` → `50 KiB`, small values in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
