/** Template version status values, as Proton's TemplateVersionStatus. */
export const TemplateVersionStatus = {
  REGISTRATION_IN_PROGRESS: 'REGISTRATION_IN_PROGRESS',
  REGISTRATION_FAILED: 'REGISTRATION_FAILED',
  DRAFT: 'DRAFT',
  PUBLISHED: 'PUBLISHED',
} as const;
export type TemplateVersionStatus =
  (typeof TemplateVersionStatus)[keyof typeof TemplateVersionStatus];

export interface VersionRef {
  major: number;
  minor: number;
  status: TemplateVersionStatus;
}

/**
 * The number a new version gets: without a major, the next major with minor 0; with one, the
 * next minor of that major. Versions that failed registration still occupy their number, as in
 * Proton, so numbers are never reused.
 */
export function nextVersionNumber(
  existing: readonly Pick<VersionRef, 'major' | 'minor'>[],
  major: number | undefined,
): { major: number; minor: number } | { error: string } {
  if (major === undefined) {
    const highest = existing.reduce((max, v) => Math.max(max, v.major), 0);
    return { major: highest + 1, minor: 0 };
  }
  const inMajor = existing.filter((v) => v.major === major);
  if (inMajor.length === 0) {
    return {
      error: `major version ${major} does not exist; omit majorVersion to create a new major version`,
    };
  }
  return { major, minor: Math.max(...inMajor.map((v) => v.minor)) + 1 };
}

function compare(
  a: Pick<VersionRef, 'major' | 'minor'>,
  b: Pick<VersionRef, 'major' | 'minor'>,
): number {
  return a.major - b.major || a.minor - b.minor;
}

/** The template's recommended version: the highest published major.minor. */
export function recommendedVersion(
  versions: readonly VersionRef[],
): { major: number; minor: number } | undefined {
  const published = versions.filter((v) => v.status === 'PUBLISHED').sort(compare);
  const top = published[published.length - 1];
  return top ? { major: top.major, minor: top.minor } : undefined;
}

/** A major's recommended minor: its highest published minor. */
export function recommendedMinorVersion(
  versions: readonly VersionRef[],
  major: number,
): number | undefined {
  return recommendedVersion(versions.filter((v) => v.major === major))?.minor;
}

/** Parses a TemplateVersionPart string ("0", "12"); the model's pattern already checked it. */
export function parseVersionPart(value: string): number {
  return Number.parseInt(value, 10);
}

/** Which transitions UpdateXTemplateVersion may make: only DRAFT → PUBLISHED (and no-ops). */
export function statusTransitionError(
  from: TemplateVersionStatus,
  to: TemplateVersionStatus,
): string | undefined {
  if (from === to) return undefined;
  if (from === 'DRAFT' && to === 'PUBLISHED') return undefined;
  if (from === 'REGISTRATION_IN_PROGRESS')
    return 'the version is still being registered; wait until it is DRAFT, then publish it';
  if (from === 'REGISTRATION_FAILED')
    return 'a version whose registration failed cannot change status; fix the bundle and create a new version';
  return `a version cannot go from ${from} to ${to}; the only allowed change is DRAFT to PUBLISHED`;
}

/**
 * The rule "a version in use can't be deleted": resources deployed on the version, counted by
 * kind (instances and pipelines separately, as Proton reports them).
 */
export function versionInUseError(
  version: { major: number; minor: number },
  usage: { environments?: number; serviceInstances?: number; pipelines?: number },
): string | undefined {
  const parts = Object.entries(usage)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  if (parts.length === 0) return undefined;
  return `version ${version.major}.${version.minor} is in use by ${parts.join(', ')}; move them to another version or delete them first`;
}
