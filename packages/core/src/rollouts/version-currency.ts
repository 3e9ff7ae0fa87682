/** A template version as currency needs it: published ones count, with when they changed. */
export interface CurrencyVersion {
  major: number;
  minor: number;
  status: string;
  /** When it was published (its last change, for a PUBLISHED version). */
  publishedAt: Date;
}

export interface CurrencyResource {
  /** ENVIRONMENT, SERVICE_INSTANCE or SERVICE_PIPELINE. */
  kind: string;
  templateKind: 'ENVIRONMENT' | 'SERVICE';
  templateName: string;
  major: number;
  minor: number;
}

export interface CurrencyRow {
  templateKind: 'ENVIRONMENT' | 'SERVICE';
  templateName: string;
  resourceKind: string;
  version: string;
  count: number;
  recommendedVersion?: string;
  /** UP_TO_DATE, MINOR (a newer minor of its major is published) or MAJOR (a newer major is). */
  behind: 'UP_TO_DATE' | 'MINOR' | 'MAJOR';
  /** Published minors of its major newer than it. */
  minorsBehind: number;
  /** Published majors newer than its own. */
  majorsBehind: number;
  /** When the first newer version was published: how long these resources have been behind. */
  behindSince?: Date;
}

const newer = (v: { major: number; minor: number }, r: { major: number; minor: number }) =>
  v.major > r.major || (v.major === r.major && v.minor > r.minor);

/**
 * The version currency report: resources per template × version × resource kind, how far each
 * group is behind the template's published versions and since when. Sorted by template, then
 * version (newest first), then kind.
 */
export function versionCurrency(
  resources: readonly CurrencyResource[],
  versionsOf: (templateKind: 'ENVIRONMENT' | 'SERVICE', name: string) => readonly CurrencyVersion[],
): CurrencyRow[] {
  const groups = new Map<string, CurrencyResource & { count: number }>();
  for (const r of resources) {
    const key = [r.templateKind, r.templateName, r.major, r.minor, r.kind].join('\0');
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { ...r, count: 1 });
  }
  const rows: CurrencyRow[] = [];
  for (const g of groups.values()) {
    const published = versionsOf(g.templateKind, g.templateName).filter(
      (v) => v.status === 'PUBLISHED',
    );
    const ahead = published.filter((v) => newer(v, g));
    const top = published.reduce<CurrencyVersion | undefined>(
      (best, v) => (!best || newer(v, best) ? v : best),
      undefined,
    );
    const minorsBehind = ahead.filter((v) => v.major === g.major).length;
    const majorsBehind = new Set(ahead.filter((v) => v.major > g.major).map((v) => v.major)).size;
    const since = ahead.reduce<Date | undefined>(
      (min, v) => (!min || v.publishedAt < min ? v.publishedAt : min),
      undefined,
    );
    rows.push({
      templateKind: g.templateKind,
      templateName: g.templateName,
      resourceKind: g.kind,
      version: `${g.major}.${g.minor}`,
      count: g.count,
      ...(top ? { recommendedVersion: `${top.major}.${top.minor}` } : {}),
      behind: majorsBehind > 0 ? 'MAJOR' : minorsBehind > 0 ? 'MINOR' : 'UP_TO_DATE',
      minorsBehind,
      majorsBehind,
      ...(since ? { behindSince: since } : {}),
    });
  }
  const num = (v: string) => v.split('.').map(Number) as [number, number];
  return rows.sort((a, b) => {
    const byName =
      a.templateKind.localeCompare(b.templateKind) || a.templateName.localeCompare(b.templateName);
    if (byName) return byName;
    const [am, an] = num(a.version);
    const [bm, bn] = num(b.version);
    return bm - am || bn - an || a.resourceKind.localeCompare(b.resourceKind);
  });
}
