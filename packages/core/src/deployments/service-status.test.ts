import { describe, expect, it } from 'vitest';
import {
  canTransition,
  deploymentSourcesOf,
  endStatus,
  idleStatuses,
  isActive,
} from './deployment-status.js';
import {
  ServiceStatus,
  canServiceTransition,
  isServiceBusy,
  serviceSourcesOf,
  settledServiceStatuses,
} from './service-status.js';

describe('the guards built from the deployment state machine', () => {
  it.each([
    ['CANCELLING', ['IN_PROGRESS']],
    ['CANCELLED', ['IN_PROGRESS', 'CANCELLING']],
    ['SUCCEEDED', ['IN_PROGRESS', 'CANCELLING']],
    ['FAILED', ['IN_PROGRESS', 'CANCELLING']],
    ['DELETE_COMPLETE', ['DELETE_IN_PROGRESS']],
    ['DELETE_FAILED', ['DELETE_IN_PROGRESS']],
    ['IN_PROGRESS', []],
  ] as const)('a deployment becomes %s only from %j', (to, from) => {
    expect(deploymentSourcesOf(to).sort()).toEqual([...from].sort());
  });

  it('starts a new deployment only on a resource with none running', () => {
    expect(idleStatuses().sort()).toEqual([
      'CANCELLED',
      'DELETE_COMPLETE',
      'DELETE_FAILED',
      'FAILED',
      'SUCCEEDED',
    ]);
    expect(idleStatuses().some(isActive)).toBe(false);
  });

  it.each([
    ['DEPLOY', 'FAILED', 'FAILED'],
    ['DEPLOY', 'SUCCEEDED', 'SUCCEEDED'],
    ['DELETE', 'FAILED', 'DELETE_FAILED'],
    ['DELETE', 'CANCELLED', 'DELETE_FAILED'],
    ['DELETE', 'SUCCEEDED', 'DELETE_COMPLETE'],
    ['DELETE', 'DELETE_FAILED', 'DELETE_FAILED'],
  ] as const)('a %s asked to end %s ends %s', (operation, status, expected) => {
    expect(endStatus(operation, status)).toBe(expected);
    // The end status is always reachable from the deployment's running status.
    expect(
      canTransition(
        operation === 'DELETE' ? 'DELETE_IN_PROGRESS' : 'IN_PROGRESS',
        endStatus(operation, status),
      ),
    ).toBe(true);
  });
});

describe("the service state machine (Proton's ServiceStatus)", () => {
  it('starts an update or a delete only from a settled status, so two at once cannot both win', () => {
    expect(serviceSourcesOf('UPDATE_IN_PROGRESS')).toEqual(settledServiceStatuses());
    expect(serviceSourcesOf('DELETE_IN_PROGRESS')).toEqual(settledServiceStatuses());
    expect(serviceSourcesOf('UPDATE_IN_PROGRESS').some(isServiceBusy)).toBe(false);
    expect(settledServiceStatuses()).toContain('UPDATE_COMPLETE_CLEANUP_FAILED');
  });

  it.each([
    ['CREATE_IN_PROGRESS', 'ACTIVE', true],
    ['CREATE_IN_PROGRESS', 'CREATE_FAILED_CLEANUP_IN_PROGRESS', true],
    ['CREATE_FAILED_CLEANUP_IN_PROGRESS', 'CREATE_FAILED_CLEANUP_COMPLETE', true],
    ['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_FAILED', true],
    ['DELETE_IN_PROGRESS', 'DELETE_FAILED', true],
    ['UPDATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', false],
    ['DELETE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', false],
    ['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS', false],
    ['ACTIVE', 'CREATE_FAILED_CLEANUP_IN_PROGRESS', false],
    ['DELETE_IN_PROGRESS', 'ACTIVE', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canServiceTransition(from, to)).toBe(allowed);
  });

  it('leaves every in-progress status only to another status', () => {
    for (const s of Object.values(ServiceStatus).filter(isServiceBusy)) {
      expect(serviceSourcesOf(s)).not.toContain(s);
      expect(Object.values(ServiceStatus).some((to) => canServiceTransition(s, to))).toBe(true);
    }
  });
});
