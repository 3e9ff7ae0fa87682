import { randomUUID } from 'node:crypto';
import type { Logger } from '@nucleon/core';
import type { Clock } from '../../ports/clock.js';
import type { ServiceSyncStore, SyncBlockerRecord } from '../../ports/service-sync-store.js';

/** Proton's SyncBlocker. */
export const blockerView = (b: SyncBlockerRecord) => ({
  id: b.id,
  type: 'AUTOMATED',
  status: b.status,
  createdReason: b.createdReason,
  createdAt: b.createdAt,
  resolvedReason: b.resolvedReason ?? undefined,
  resolvedAt: b.resolvedAt ?? undefined,
  contexts: b.contexts,
});

/**
 * Service sync blockers (Proton's rules): a manual create or update of a synced instance blocks
 * that instance, a manual UpdateService that deletes synced instances blocks the service, and a
 * failed sync blocks its instance. One active blocker per scope.
 */
export class ServiceSyncBlockers {
  constructor(
    private readonly store: ServiceSyncStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** A manual create or update of an instance that sync manages blocks that instance (Proton's rule). */
  async manualInstanceChange(serviceName: string, instanceName: string, operation: string) {
    if (!(await this.store.getConfig(serviceName))) return;
    if (!(await this.store.hasAttempts(serviceName, instanceName))) return;
    await this.block(
      serviceName,
      instanceName,
      `${operation} changed the instance outside service sync`,
      [{ key: 'operation', value: operation }],
    );
  }

  /** A manual UpdateService that removed synced instances blocks the whole service. */
  async manualInstancesRemoved(serviceName: string, removed: string[]) {
    if (!(await this.store.getConfig(serviceName))) return;
    const synced = [];
    for (const name of removed)
      if (await this.store.hasAttempts(serviceName, name)) synced.push(name);
    if (synced.length === 0) return;
    await this.block(
      serviceName,
      null,
      `UpdateService deleted the synced instance(s) ${synced.join(', ')}`,
      [
        { key: 'operation', value: 'UpdateService' },
        ...synced.map((n) => ({ key: 'serviceInstanceName', value: n })),
      ],
    );
  }

  /** A new ACTIVE blocker of the scope, not yet stored (see `block`, or `updateAttempt`'s blocker). */
  record(
    serviceName: string,
    instanceName: string | null,
    reason: string,
    contexts: Array<{ key: string; value: string }>,
  ): SyncBlockerRecord {
    return {
      id: randomUUID(),
      serviceName,
      instanceName,
      status: 'ACTIVE',
      createdReason: reason,
      createdAt: this.clock.now(),
      resolvedReason: null,
      resolvedAt: null,
      contexts: [
        { key: 'serviceName', value: serviceName },
        ...(instanceName ? [{ key: 'serviceInstanceName', value: instanceName }] : []),
        ...contexts,
      ],
    };
  }

  async block(
    serviceName: string,
    instanceName: string | null,
    reason: string,
    contexts: Array<{ key: string; value: string }>,
  ) {
    const b = await this.store.addBlocker(this.record(serviceName, instanceName, reason, contexts));
    this.logged(b);
    return b;
  }

  logged(b: SyncBlockerRecord) {
    this.logger.info('service sync blocked', {
      serviceName: b.serviceName,
      instanceName: b.instanceName,
      reason: b.createdReason,
    });
  }
}
