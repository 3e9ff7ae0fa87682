import { describe, expect, it } from 'vitest';
import {
  nextVersionNumber,
  recommendedMinorVersion,
  recommendedVersion,
  statusTransitionError,
  versionInUseError,
  type VersionRef,
} from './versions.js';

const v = (
  major: number,
  minor: number,
  status: VersionRef['status'] = 'PUBLISHED',
): VersionRef => ({ major, minor, status });

describe('nextVersionNumber', () => {
  it.each([
    { existing: [], major: undefined, expected: { major: 1, minor: 0 } },
    { existing: [v(1, 0)], major: undefined, expected: { major: 2, minor: 0 } },
    { existing: [v(1, 0), v(1, 1)], major: 1, expected: { major: 1, minor: 2 } },
    {
      existing: [v(1, 0), v(2, 0), v(1, 3, 'REGISTRATION_FAILED')],
      major: 1,
      expected: { major: 1, minor: 4 },
    },
    { existing: [v(1, 0), v(3, 0)], major: undefined, expected: { major: 4, minor: 0 } },
  ])(
    'gives $expected for major $major over $existing.length versions',
    ({ existing, major, expected }) => {
      expect(nextVersionNumber(existing, major)).toEqual(expected);
    },
  );

  it('refuses a minor version under a major that does not exist', () => {
    expect(nextVersionNumber([v(1, 0)], 2)).toEqual({
      error: expect.stringContaining('major version 2 does not exist'),
    });
  });
});

describe('recommended versions', () => {
  const versions = [v(1, 0), v(1, 1), v(1, 2, 'DRAFT'), v(2, 0, 'DRAFT'), v(0, 9)];
  it('is the highest published major.minor', () => {
    expect(recommendedVersion(versions)).toEqual({ major: 1, minor: 1 });
  });
  it('per major is the highest published minor of that major', () => {
    expect(recommendedMinorVersion(versions, 1)).toBe(1);
    expect(recommendedMinorVersion(versions, 2)).toBeUndefined();
    expect(recommendedMinorVersion(versions, 0)).toBe(9);
  });
  it('is absent when nothing is published', () => {
    expect(recommendedVersion([v(1, 0, 'DRAFT')])).toBeUndefined();
  });
});

describe('statusTransitionError', () => {
  it.each([
    ['DRAFT', 'PUBLISHED', false],
    ['DRAFT', 'DRAFT', false],
    ['PUBLISHED', 'DRAFT', true],
    ['REGISTRATION_IN_PROGRESS', 'PUBLISHED', true],
    ['REGISTRATION_FAILED', 'PUBLISHED', true],
    ['PUBLISHED', 'REGISTRATION_FAILED', true],
  ] as const)('%s → %s refused: %s', (from, to, refused) => {
    expect(statusTransitionError(from, to) !== undefined).toBe(refused);
  });
});

describe('versionInUseError', () => {
  it('allows deleting an unused version', () => {
    expect(versionInUseError({ major: 1, minor: 0 }, { environments: 0 })).toBeUndefined();
  });
  it('names every kind of resource using the version', () => {
    expect(versionInUseError({ major: 1, minor: 2 }, { serviceInstances: 2, pipelines: 1 })).toBe(
      'version 1.2 is in use by 2 serviceInstances, 1 pipelines; move them to another version or delete them first',
    );
  });
});
