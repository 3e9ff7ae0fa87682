import { coerceError, type Logger } from '@nucleon/core';
import type { ResourceKey } from '../../ports/deployment-store.js';

/** "5 minutes", "90 seconds", "200 ms". */
export function describeDuration(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  if (ms === 60_000) return '1 minute';
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} second${ms === 1000 ? '' : 's'}`;
  return `${ms} ms`;
}

/** The command that cancels a deployment of this resource, for messages. */
export function cancelHint(target: ResourceKey): string {
  switch (target.kind) {
    case 'ENVIRONMENT':
      return `aws proton cancel-environment-deployment --environment-name ${target.name}`;
    case 'SERVICE_INSTANCE':
      return `aws proton cancel-service-instance-deployment --service-name ${target.serviceName} --service-instance-name ${target.name}`;
    case 'SERVICE_PIPELINE':
      return `aws proton cancel-service-pipeline-deployment --service-name ${target.serviceName}`;
    case 'COMPONENT':
      return `aws proton cancel-component-deployment --component-name ${target.name}`;
  }
}

export interface StallWatchOptions {
  /** Silence longer than this is a stall. */
  afterMs: number;
  engine: string;
  target: ResourceKey;
  /** When the run times out, for the message. */
  deadline: Date;
  /** Records the warning (an event and the deployment's status message); `null` clears it. */
  report(message: string | null, event: string): Promise<void>;
  logger: Logger;
}

/**
 * Watches a running engine's output. After `afterMs` without a line it reports, once, that the
 * deployment seems stalled, naming the last line and how to cancel; when output resumes it
 * clears the message, and a later silence is reported again.
 */
export class StallWatch {
  private lastAt = Date.now();
  private lastLine = '';
  private stalled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: StallWatchOptions) {
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(o.afterMs / 5, 15_000)));
    this.timer.unref();
  }

  /** A line of output arrived. */
  output(line: string): void {
    this.lastAt = Date.now();
    if (line.trim() !== '') this.lastLine = line.trim();
    if (this.stalled) {
      this.stalled = false;
      this.send(null, 'output resumed');
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.stalled || Date.now() - this.lastAt < this.o.afterMs) return;
    this.stalled = true;
    const last =
      this.lastLine === ''
        ? 'it has written nothing yet'
        : `its last line was ${JSON.stringify(this.lastLine.slice(0, 200))}`;
    const message =
      `No output for ${describeDuration(this.o.afterMs)} from the ${this.o.engine} engine (${last}). ` +
      `It is still running and times out at ${this.o.deadline.toISOString()}; to stop it now: ${cancelHint(this.o.target)}`;
    this.send(message, message);
  }

  private send(message: string | null, event: string): void {
    this.o.report(message, event).catch((error: unknown) => {
      this.o.logger.warn('could not record the stall warning', {
        error: coerceError(error).message,
      });
    });
  }
}
