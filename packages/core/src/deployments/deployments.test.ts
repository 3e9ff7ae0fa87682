import { describe, expect, it } from 'vitest';
import type { VersionRef } from '../catalog/versions.js';
import { substituteCurrentValues } from './current-val.js';
import { canTransition, finalStatus } from './deployment-status.js';
import { resolveTargetVersion } from './resolve-target-version.js';

const v = (
  major: number,
  minor: number,
  status: VersionRef['status'] = 'PUBLISHED',
): VersionRef => ({ major, minor, status });
const versions = [v(1, 0), v(1, 1), v(1, 2, 'DRAFT'), v(2, 0), v(2, 1), v(3, 0, 'DRAFT')];
const current = { major: 1, minor: 0 };

describe('resolveTargetVersion', () => {
  it.each([
    ['NONE', {}, { major: 1, minor: 0 }],
    ['CURRENT_VERSION', {}, { major: 1, minor: 0 }],
    ['MINOR_VERSION', {}, { major: 1, minor: 1 }],
    ['MINOR_VERSION', { minor: 1 }, { major: 1, minor: 1 }],
    ['MAJOR_VERSION', {}, { major: 2, minor: 1 }],
    ['MAJOR_VERSION', { major: 2, minor: 0 }, { major: 2, minor: 0 }],
  ] as const)('%s with %j deploys %j', (type, requested, expected) => {
    expect(resolveTargetVersion(type, current, requested, versions, false)).toEqual(expected);
  });

  it.each([
    ['CURRENT_VERSION', { minor: 1 }, /cannot be given/],
    ['MINOR_VERSION', { major: 2 }, /use MAJOR_VERSION/],
    ['MINOR_VERSION', { minor: 2 }, /not published/],
    ['MAJOR_VERSION', { major: 1 }, /higher major/],
    ['MAJOR_VERSION', { major: 3 }, /no published minor/],
  ] as const)('%s with %j is refused', (type, requested, message) => {
    expect(resolveTargetVersion(type, current, requested, versions, false)).toEqual({
      error: expect.stringMatching(message),
    });
  });

  it('lets an admin name a DRAFT version explicitly', () => {
    expect(resolveTargetVersion('MINOR_VERSION', current, { minor: 2 }, versions, true)).toEqual({
      major: 1,
      minor: 2,
    });
  });
});

describe('the deployment state machine', () => {
  it('moves only forward to a terminal status', () => {
    expect(canTransition('IN_PROGRESS', 'SUCCEEDED')).toBe(true);
    expect(canTransition('IN_PROGRESS', 'CANCELLING')).toBe(true);
    expect(canTransition('CANCELLING', 'CANCELLED')).toBe(true);
    expect(canTransition('SUCCEEDED', 'FAILED')).toBe(false);
    expect(canTransition('DELETE_IN_PROGRESS', 'SUCCEEDED')).toBe(false);
  });
  it.each([
    ['SUCCEEDED', false, 'SUCCEEDED'],
    ['TIMED_OUT', false, 'FAILED'],
    ['CANCELLED', false, 'CANCELLED'],
    ['SUCCEEDED', true, 'DELETE_COMPLETE'],
    ['FAILED', true, 'DELETE_FAILED'],
  ] as const)('maps engine outcome %s (deleting: %s) to %s', (outcome, deleting, status) => {
    expect(finalStatus(outcome, deleting)).toBe(status);
  });
});

describe('${Proton::CURRENT_VAL}', () => {
  it('keeps current values and reports inputs that have none', () => {
    expect(
      substituteCurrentValues(
        { image: '${Proton::CURRENT_VAL}', port: 81, x: '${Proton::CURRENT_VAL}' },
        { image: 'nginx:1', port: 80 },
      ),
    ).toEqual({
      values: { image: 'nginx:1', port: 81 },
      missing: ['x'],
    });
  });
});
