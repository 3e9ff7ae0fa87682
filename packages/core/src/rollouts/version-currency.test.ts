import { describe, expect, it } from 'vitest';
import { versionCurrency, type CurrencyResource } from './version-currency.js';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const versions = [
  { major: 1, minor: 0, status: 'PUBLISHED', publishedAt: day(1) },
  { major: 1, minor: 1, status: 'PUBLISHED', publishedAt: day(5) },
  { major: 1, minor: 2, status: 'DRAFT', publishedAt: day(6) },
  { major: 1, minor: 3, status: 'PUBLISHED', publishedAt: day(9) },
  { major: 2, minor: 0, status: 'PUBLISHED', publishedAt: day(7) },
];
const svc = (major: number, minor: number, kind = 'SERVICE_INSTANCE'): CurrencyResource => ({
  kind,
  templateKind: 'SERVICE',
  templateName: 'web',
  major,
  minor,
});

describe('versionCurrency', () => {
  it('groups resources per template × version × kind and says how far behind, since when', () => {
    const rows = versionCurrency(
      [svc(1, 0), svc(1, 0), svc(1, 3), svc(2, 0), svc(2, 0, 'SERVICE_PIPELINE')],
      () => versions,
    );
    expect(rows.map((r) => [r.version, r.resourceKind, r.count, r.behind])).toEqual([
      ['2.0', 'SERVICE_INSTANCE', 1, 'UP_TO_DATE'],
      ['2.0', 'SERVICE_PIPELINE', 1, 'UP_TO_DATE'],
      ['1.3', 'SERVICE_INSTANCE', 1, 'MAJOR'],
      ['1.0', 'SERVICE_INSTANCE', 2, 'MAJOR'],
    ]);
    const old = rows.find((r) => r.version === '1.0')!;
    // 1.1 and 1.3 are newer published minors (1.2 is a draft); 2 is a newer major.
    expect(old).toMatchObject({
      minorsBehind: 2,
      majorsBehind: 1,
      recommendedVersion: '2.0',
      behindSince: day(5),
    });
    expect(rows[0]!.behindSince).toBeUndefined();
    expect(rows.find((r) => r.version === '1.3')!.behindSince).toEqual(day(7));
  });

  it('is MINOR when only a newer minor of the same major is published', () => {
    const [row] = versionCurrency([svc(1, 1)], () => versions.filter((v) => v.major === 1));
    expect(row).toMatchObject({ behind: 'MINOR', minorsBehind: 1, majorsBehind: 0 });
    expect(row!.behindSince).toEqual(day(9));
  });
});
