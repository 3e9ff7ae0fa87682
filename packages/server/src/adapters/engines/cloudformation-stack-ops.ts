import { randomUUID } from 'node:crypto';
import type { Stack, Tag } from '@aws-sdk/client-cloudformation';
import type {
  EngineErrorCode,
  EngineEventListener,
  EngineResult,
  ProvisionedResource,
} from '../../ports/stack-engine.js';
import {
  classifyAwsError,
  errorName,
  errorText,
  type CloudFormationApi,
} from './cloudformation-api.js';
import {
  isSuccess,
  StackEventTail,
  waitForStack,
  type StopCause,
  type Stopper,
} from './cloudformation-watch.js';

/**
 * The steps of {@link CloudFormationStackEngine} that end an operation: finishing, deleting,
 * and cleaning up after a cancel or timeout, plus the result constructors they share.
 */

/** Per-operation state shared by the steps of one deploy or destroy. */
export interface StackRun {
  api: CloudFormationApi;
  stackName: string;
  stopper: Stopper;
  log: EngineEventListener;
  pollIntervalMs: number;
  /** How long a cancel or timeout waits for the rollback or deletion it started. */
  cleanupWaitMs: number;
}

export function waitFor(
  run: StackRun,
  stackId: string,
  tail: StackEventTail,
  signal: AbortSignal,
): ReturnType<typeof waitForStack> {
  return waitForStack({ api: run.api, stackId, tail, pollIntervalMs: run.pollIntervalMs, signal });
}

/** Maps the terminal stack of a create or update to a result. */
export function finish(
  run: StackRun,
  stack: Stack | undefined,
  tail: StackEventTail,
  expected: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE',
): EngineResult {
  const status = stack?.StackStatus;
  if (stack !== undefined && status === expected && isSuccess(status)) {
    return succeeded(run, stack, `stack ${stack.StackId ?? run.stackName} ${status}`);
  }
  const cause = tail.failureReason() ?? stack?.StackStatusReason ?? 'CloudFormation gave no reason';
  return failed(
    'ENGINE_FAILED',
    `stack ${run.stackName} ended in ${status ?? 'DELETE_COMPLETE'}: ${cause}`,
  );
}

export function succeeded(run: StackRun, stack: Stack, message: string): EngineResult {
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  // As Proton's "provisioned stacks": the stack itself, by name and ARN (ADR 0010).
  const provisionedResources: ProvisionedResource[] = [
    {
      name: stack.StackName ?? run.stackName,
      identifier: stack.StackId ?? run.stackName,
      provisioningEngine: 'CLOUDFORMATION',
    },
  ];
  return { outcome: 'SUCCEEDED', message, outputs, provisionedResources };
}

/**
 * DeleteStack and wait until the stack is gone. With `waitOutCreate`, a refused delete (a stack
 * still being created) is retried once after the create has finished.
 */
export async function deleteAndWait(
  run: StackRun,
  stackId: string,
  signal: AbortSignal,
  waitOutCreate = false,
): Promise<EngineResult> {
  const baseline = await StackEventTail.latestEventId(run.api, stackId).catch(() => undefined);
  const tail = new StackEventTail(run.api, stackId, run.log, baseline);
  try {
    await run.api.deleteStack({ StackName: stackId, ClientRequestToken: token() });
  } catch (error) {
    if (!waitOutCreate) return rejected('DeleteStack', error);
    run.log(
      `DeleteStack was refused (${errorText(error)}); waiting for the creation to finish first`,
    );
    await waitFor(run, stackId, tail, signal);
    return deleteAndWait(run, stackId, signal);
  }
  run.log(`deleting stack ${stackId}`);
  const wait = await waitFor(run, stackId, tail, signal);
  if (wait.kind === 'stopped') {
    return stopped(run.stopper.reason, `while stack ${stackId} was being deleted`);
  }
  const status = wait.stack?.StackStatus;
  if (wait.stack === undefined || status === 'DELETE_COMPLETE') {
    return { ...emptyResult('SUCCEEDED'), message: `stack ${stackId} deleted` };
  }
  const cause = tail.failureReason() ?? wait.stack.StackStatusReason ?? 'no reason given';
  return failed(
    'ENGINE_FAILED',
    `stack ${stackId} ended in ${status ?? 'an unknown state'}: ${cause}`,
  );
}

/**
 * Cancel or timeout during an update: CancelUpdateStack rolls the stack back to its previous
 * template; the result waits for that. A cancel that arrives after the update committed is
 * refused by CloudFormation, and the update's real outcome is reported instead.
 */
export async function cancelUpdate(
  run: StackRun,
  stackId: string,
  tail: StackEventTail,
): Promise<EngineResult> {
  const why = run.stopper.reason ?? 'CANCELLED';
  if (why === 'INTERRUPTED') return leaveRunning(run, stackId, 'update');
  run.log(`${label(why)}: asking CloudFormation to cancel the update (CancelUpdateStack)`);
  try {
    await run.api.cancelUpdateStack({ StackName: stackId });
  } catch (error) {
    run.log(
      `CancelUpdateStack was refused (${errorText(error)}); waiting for the update to finish`,
    );
  }
  const wait = await waitFor(run, stackId, tail, AbortSignal.timeout(run.cleanupWaitMs));
  const stack = wait.kind === 'done' ? wait.stack : undefined;
  const status = stack?.StackStatus;
  if (status === 'UPDATE_ROLLBACK_COMPLETE') {
    return stopped(
      why,
      `the update of stack ${stackId} was cancelled and rolled back (UPDATE_ROLLBACK_COMPLETE)`,
    );
  }
  if (stack !== undefined && status === 'UPDATE_COMPLETE') {
    return succeeded(
      run,
      stack,
      `stack ${stackId} UPDATE_COMPLETE: the cancel came after the update had committed`,
    );
  }
  const cause = tail.failureReason();
  return failed(
    'ENGINE_FAILED',
    `the cancelled update of stack ${stackId} did not roll back cleanly: ` +
      `${status ?? 'still in progress'}${cause === undefined ? '' : `; ${cause}`}`,
  );
}

/**
 * Cancel or timeout during a first create: the state before this deployment is "no stack", so
 * the new stack is deleted (waiting the create out first if CloudFormation insists).
 */
export async function abandonCreate(run: StackRun, stackId: string): Promise<EngineResult> {
  const why = run.stopper.reason ?? 'CANCELLED';
  if (why === 'INTERRUPTED') return leaveRunning(run, stackId, 'creation');
  run.log(`${label(why)} during creation: deleting the new stack ${stackId}`);
  const removal = await deleteAndWait(run, stackId, AbortSignal.timeout(run.cleanupWaitMs), true);
  if (removal.outcome === 'FAILED') return removal;
  if (removal.outcome !== 'SUCCEEDED') {
    return stopped(
      why,
      `creation of stack ${stackId} was stopped, but deleting it did not finish in time`,
    );
  }
  return stopped(why, `creation of stack ${stackId} was stopped and the new stack deleted`);
}

export function toTags(tags: Readonly<Record<string, string>> | undefined): Tag[] | undefined {
  return tags === undefined
    ? undefined
    : Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A fresh idempotency token per call, so the SDK's own retries of that call are deduplicated. */
export function token(): string {
  return `nucleon-${randomUUID()}`;
}

export function emptyResult(outcome: EngineResult['outcome']): EngineResult {
  return { outcome, message: '', outputs: {}, provisionedResources: [] };
}

export function failed(errorCode: EngineErrorCode, message: string): EngineResult {
  return { ...emptyResult('FAILED'), errorCode, message };
}

export function rejected(call: string, error: unknown): EngineResult {
  return failed(
    classifyAwsError(error),
    `CloudFormation rejected ${call}: ${errorName(error)}: ${errorText(error)}`,
  );
}

export function stopped(why: StopCause | undefined, detail: string): EngineResult {
  const cause = why ?? 'CANCELLED';
  // An interrupted attempt records nothing (the worker gave the job up); CANCELLED only types it.
  const outcome = cause === 'TIMED_OUT' ? 'TIMED_OUT' : 'CANCELLED';
  return { ...emptyResult(outcome), message: `${label(cause)}: ${detail}` };
}

/**
 * The worker gave the job up (lost lease, graceful stop) while a stack operation was running:
 * the stack is left exactly as it is, neither cancelled nor deleted. The job's next attempt
 * waits for that operation and takes its result over (see `settle`).
 */
export function leaveRunning(run: StackRun, stackId: string, what: string): EngineResult {
  run.log(
    `interrupted: this worker gave the job up; the ${what} of stack ${stackId} goes on and the next attempt takes it over`,
  );
  return stopped(
    'INTERRUPTED',
    `the ${what} of stack ${stackId} was left running for the next attempt`,
  );
}

function label(why: StopCause): string {
  if (why === 'INTERRUPTED') return 'interrupted';
  return why === 'TIMED_OUT' ? 'timed out' : 'cancelled';
}
