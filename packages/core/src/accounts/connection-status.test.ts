import { describe, expect, it } from 'vitest';
import {
  canConnectionTransition,
  connectionSourcesOf,
  isConnectionStatus,
} from './connection-status.js';

describe('the environment account connection state machine', () => {
  it.each([
    ['PENDING', 'CONNECTED', true],
    ['PENDING', 'REJECTED', true],
    ['CONNECTED', 'REJECTED', true],
    ['CONNECTED', 'PENDING', false],
    ['REJECTED', 'CONNECTED', false],
    ['REJECTED', 'PENDING', false],
  ] as const)('%s to %s is allowed: %s', (from, to, allowed) => {
    expect(canConnectionTransition(from, to)).toBe(allowed);
  });

  it('guards accepting with PENDING only and rejecting with PENDING or CONNECTED', () => {
    expect(connectionSourcesOf('CONNECTED')).toEqual(['PENDING']);
    expect(connectionSourcesOf('REJECTED')).toEqual(['PENDING', 'CONNECTED']);
  });

  it('knows its statuses', () => {
    expect(isConnectionStatus('CONNECTED')).toBe(true);
    expect(isConnectionStatus('ACTIVE')).toBe(false);
  });
});
