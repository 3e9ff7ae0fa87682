import type { DeploymentEvent, DeploymentStore } from '../../ports/deployment-store.js';

/**
 * Collects a deployment's log lines and writes them in batches (every 200 ms or 200 lines), so a
 * chatty command does not cost one insert per line. Order is kept.
 */
export class EventBuffer {
  private pending: Array<{ kind: DeploymentEvent['kind']; message: string; at: Date }> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DeploymentStore,
    private readonly deploymentId: string,
  ) {}

  push(kind: DeploymentEvent['kind'], message: string): void {
    this.pending.push({ kind, message: message.slice(0, 16_384), at: new Date() });
    if (this.pending.length >= 200) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing
      .then(() => (batch.length ? this.store.appendEvents(this.deploymentId, batch) : undefined))
      .catch(() => undefined);
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
