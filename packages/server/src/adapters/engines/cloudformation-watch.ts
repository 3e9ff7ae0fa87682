import type { DescribeChangeSetOutput, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { setTimeout as delay } from 'node:timers/promises';
import { JobInterruptedError } from '../../ports/job-queue.js';
import type { EngineEventListener } from '../../ports/stack-engine.js';
import { describeStack, type CloudFormationApi } from './cloudformation-api.js';

/**
 * Waiting on CloudFormation: polling a stack to a terminal status while streaming its events,
 * polling a change set, and the stop signal (cancel or timeout) those waits honour.
 */

/** Statuses that end an operation well. Every other non-`_IN_PROGRESS` status is a failure. */
const SUCCESS_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'IMPORT_COMPLETE',
  'DELETE_COMPLETE',
]);

export function isInProgress(status: string | undefined): boolean {
  // REVIEW_IN_PROGRESS is a parked stack (an unexecuted CREATE change set), not a running operation.
  return status !== undefined && status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

export function isSuccess(status: string | undefined): boolean {
  return status !== undefined && SUCCESS_STATUSES.has(status);
}

/** `<timestamp> <LogicalResourceId> <ResourceType> <ResourceStatus> <ResourceStatusReason>` */
export function formatStackEvent(event: StackEvent): string {
  const parts = [
    event.Timestamp?.toISOString() ?? '-',
    event.LogicalResourceId ?? '-',
    event.ResourceType ?? '-',
    event.ResourceStatus ?? '-',
    event.ResourceStatusReason ?? '',
  ];
  return parts.join(' ').trimEnd();
}

/** Reasons that only echo another resource's failure; the root cause is elsewhere. */
const CASCADE_REASON =
  /^(Resource (creation|update) cancelled|The following resource\(s\) failed)/i;
const MAX_PAGES_PER_POLL = 20;

/**
 * Follows one stack's events from a baseline on: each poll emits the events that are new since
 * the last one, oldest first, and remembers the first resource failure as the likely root cause.
 */
export class StackEventTail {
  private readonly seen = new Set<string>();
  private firstFailure: StackEvent | undefined;

  constructor(
    private readonly api: CloudFormationApi,
    private readonly stackId: string,
    private readonly onEvent: EngineEventListener,
    private readonly baselineEventId?: string,
  ) {}

  /** The id of a stack's newest event, so a later tail shows only what happens after now. */
  static async latestEventId(api: CloudFormationApi, stackId: string): Promise<string | undefined> {
    const page = await api.describeStackEvents({ StackName: stackId });
    return page.StackEvents?.[0]?.EventId;
  }

  async poll(): Promise<void> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const response = await this.api.describeStackEvents({
        StackName: this.stackId,
        NextToken: token,
      });
      const events = response.StackEvents ?? [];
      const known = events.findIndex(
        (e) => e.EventId === this.baselineEventId || this.seen.has(e.EventId ?? ''),
      );
      fresh.push(...(known === -1 ? events : events.slice(0, known)));
      token = response.NextToken;
      if (known !== -1 || token === undefined) break;
    }
    for (const event of fresh.reverse()) {
      if (event.EventId !== undefined) this.seen.add(event.EventId);
      this.noteFailure(event);
      this.onEvent(formatStackEvent(event));
    }
  }

  /** "Queue (AWS::SQS::Queue) CREATE_FAILED: <reason>" for the first real resource failure. */
  failureReason(): string | undefined {
    const e = this.firstFailure;
    if (e === undefined) return undefined;
    return `${e.LogicalResourceId ?? '?'} (${e.ResourceType ?? '?'}) ${e.ResourceStatus ?? ''}: ${e.ResourceStatusReason ?? ''}`.trim();
  }

  private noteFailure(event: StackEvent): void {
    if (this.firstFailure !== undefined) return;
    const reason = event.ResourceStatusReason ?? '';
    if (
      !(event.ResourceStatus ?? '').endsWith('_FAILED') ||
      reason === '' ||
      CASCADE_REASON.test(reason)
    )
      return;
    if (
      event.ResourceType === 'AWS::CloudFormation::Stack' &&
      event.PhysicalResourceId === event.StackId
    )
      return;
    this.firstFailure = event;
  }
}

export type StackWait = { kind: 'done'; stack: Stack | undefined } | { kind: 'stopped' };

/**
 * Polls until the stack's operation ends (a status without `_IN_PROGRESS`, or the stack is gone),
 * streaming events. Resolves `stopped` as soon as `signal` aborts; the operation itself goes on.
 */
export async function waitForStack(options: {
  api: CloudFormationApi;
  stackId: string;
  tail: StackEventTail;
  pollIntervalMs: number;
  signal?: AbortSignal;
}): Promise<StackWait> {
  for (;;) {
    const stack = await describeStack(options.api, options.stackId);
    await options.tail.poll().catch(() => undefined); // events are best effort; status is what counts
    if (!isInProgress(stack?.StackStatus)) return { kind: 'done', stack };
    if (!(await sleep(options.pollIntervalMs, options.signal))) return { kind: 'stopped' };
  }
}

export type ChangeSetWait =
  { kind: 'done'; changeSet: DescribeChangeSetOutput } | { kind: 'stopped' };

/** Polls a change set until CloudFormation has finished computing it. */
export async function waitForChangeSet(options: {
  api: CloudFormationApi;
  stackName: string;
  changeSetName: string;
  pollIntervalMs: number;
  signal?: AbortSignal;
}): Promise<ChangeSetWait> {
  for (;;) {
    const changeSet = await options.api.describeChangeSet({
      StackName: options.stackName,
      ChangeSetName: options.changeSetName,
    });
    if (changeSet.Status !== 'CREATE_PENDING' && changeSet.Status !== 'CREATE_IN_PROGRESS') {
      return { kind: 'done', changeSet };
    }
    if (!(await sleep(options.pollIntervalMs, options.signal))) return { kind: 'stopped' };
  }
}

/** CloudFormation's way of saying an update would change nothing. */
export function isNoChangeReason(reason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed/i.test(reason ?? '');
}

/** Sleeps; false if `signal` aborted first. */
async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why waiting stopped: the user's cancel, the operation's own timeout, or the worker giving the
 * job up (a lost lease or a graceful stop; the next attempt takes the stack over as it is).
 */
export type StopCause = 'CANCELLED' | 'TIMED_OUT' | 'INTERRUPTED';

/**
 * One signal for "stop waiting": the caller's cancel or the operation's own timeout, remembering
 * which came first so the result says CANCELLED or TIMED_OUT. A parent aborted with a
 * {@link JobInterruptedError} is an interruption, not a cancel: the stack must be left alone.
 */
export class Stopper {
  private readonly controller = new AbortController();
  private cause: StopCause | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.stop(causeOf(this.parent?.reason));

  constructor(
    private readonly parent: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ) {
    if (parent?.aborted) this.stop(causeOf(parent.reason));
    parent?.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(
        () => this.stop('TIMED_OUT'),
        Math.min(Math.max(timeoutMs, 1), 2_147_483_647),
      );
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why waiting stopped, or undefined while it has not. */
  get reason(): StopCause | undefined {
    return this.cause;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onAbort);
  }

  private stop(cause: StopCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort();
  }
}

function causeOf(reason: unknown): StopCause {
  return reason instanceof JobInterruptedError ? 'INTERRUPTED' : 'CANCELLED';
}
