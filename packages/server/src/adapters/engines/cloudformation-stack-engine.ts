import { randomUUID } from 'node:crypto';
import type { Capability, Stack } from '@aws-sdk/client-cloudformation';
import type {
  EngineResult,
  StackDeployRequest,
  StackDestroyRequest,
  StackEngine,
} from '../../ports/stack-engine.js';
import {
  assumeRoleCredentials,
  classifyAwsError,
  describeStack,
  errorName,
  errorText,
  roleSessionName,
  sdkCloudFormationFactory,
  sdkStsFactory,
  type AwsCredentials,
  type CloudFormationApi,
  type CloudFormationClientFactory,
  type StsClientFactory,
} from './cloudformation-api.js';
import {
  abandonCreate,
  cancelUpdate,
  deleteAndWait,
  emptyResult,
  failed,
  finish,
  rejected,
  stopped,
  succeeded,
  toTags,
  token,
  waitFor,
  type StackRun,
} from './cloudformation-stack-ops.js';
import { ownershipTags, refuseForeignStack } from './cloudformation-ownership.js';
import {
  isInProgress,
  isNoChangeReason,
  StackEventTail,
  Stopper,
  waitForChangeSet,
} from './cloudformation-watch.js';

/** Options of {@link CloudFormationStackEngine.create}; all optional. */
export interface CloudFormationStackEngineOptions {
  /** CloudFormation endpoint; unset = the SDK chain (`AWS_ENDPOINT_URL_CLOUDFORMATION`, …). */
  endpoint?: string;
  /** STS endpoint for AssumeRole; unset = the SDK chain (`AWS_ENDPOINT_URL_STS`, …). */
  stsEndpoint?: string;
  /** Nucleon's own credentials; unset = the SDK's default credential chain. */
  credentials?: AwsCredentials;
  /**
   * Replaces SDK client construction (tests, custom HTTP handlers); `endpoint` is then unused.
   * Called once per operation; the engine never destroys clients a custom factory returns.
   */
  clientFactory?: CloudFormationClientFactory;
  /** Same for STS; `stsEndpoint` is then unused. */
  stsClientFactory?: StsClientFactory;
  /** Default 5 s, about what CloudFormation's console does. */
  pollIntervalMs?: number;
  /** How long a cancel or timeout waits for the rollback or deletion it started. Default 30 min. */
  cleanupWaitMs?: number;
  /** Default IAM, NAMED_IAM and AUTO_EXPAND: Proton templates create roles and use macros. */
  capabilities?: readonly Capability[];
  /** Session length of assumed roles; they are refreshed before expiry. Default 1 h. */
  assumeRoleDurationSeconds?: number;
  /** SDK attempts per call (throttling, 5xx). SDK default when unset. */
  maxAttempts?: number;
}

interface Settings {
  clientFactory: CloudFormationClientFactory;
  stsClientFactory: StsClientFactory;
  /** Clients from the built-in factories are fresh per operation and destroyed after it. */
  ownsClients: boolean;
  ownsStsClients: boolean;
  credentials?: AwsCredentials;
  pollIntervalMs: number;
  cleanupWaitMs: number;
  capabilities: Capability[];
  assumeRoleDurationSeconds: number;
}

const DEFAULT_CAPABILITIES: Capability[] = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
];
/** Left-overs of a failed first create (or a parked change set): delete, then create again. */
const RECREATE_STATUSES = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'REVIEW_IN_PROGRESS']);
/** States that need an operator; CloudFormation would refuse any update. */
const BLOCKED_STATUSES: Record<string, string> = {
  UPDATE_ROLLBACK_FAILED:
    'continue the rollback (ContinueUpdateRollback) or delete the stack, then deploy again',
  DELETE_FAILED: 'fix what blocked the deletion and destroy the stack, then deploy again',
  IMPORT_ROLLBACK_FAILED: 'repair the stack by hand, then deploy again',
};

/**
 * Provisions one CloudFormation stack per Proton resource, as Proton's AWS-managed provisioning
 * does: CreateStack for a new stack, a change set for an existing one, every stack event
 * streamed to the deployment log. Idempotent by stack name: a retry after a crash first waits
 * for whatever the stack is still doing, then converges (an unchanged template is a no-op).
 * Cancel rolls an update back (CancelUpdateStack) and deletes a stack that was being created.
 * When the worker gives the job up instead (a lost lease or a graceful stop: the signal aborts
 * with a JobInterruptedError), the stack is left alone and the next attempt takes it over.
 */
export class CloudFormationStackEngine implements StackEngine {
  private constructor(private readonly settings: Settings) {}

  static create(options: CloudFormationStackEngineOptions = {}): CloudFormationStackEngine {
    return new CloudFormationStackEngine({
      clientFactory:
        options.clientFactory ?? sdkCloudFormationFactory(options.endpoint, options.maxAttempts),
      stsClientFactory: options.stsClientFactory ?? sdkStsFactory(options.stsEndpoint),
      ownsClients: options.clientFactory === undefined,
      ownsStsClients: options.stsClientFactory === undefined,
      credentials: options.credentials,
      pollIntervalMs: options.pollIntervalMs ?? 5_000,
      cleanupWaitMs: options.cleanupWaitMs ?? 30 * 60_000,
      capabilities: [...(options.capabilities ?? DEFAULT_CAPABILITIES)],
      assumeRoleDurationSeconds: options.assumeRoleDurationSeconds ?? 3_600,
    });
  }

  async deploy(request: StackDeployRequest): Promise<EngineResult> {
    const owned =
      request.owner === undefined
        ? request
        : { ...request, tags: { ...request.tags, ...ownershipTags(request.owner) } };
    return this.operate(request, (run) => this.deployStack(run, owned));
  }

  async destroy(request: StackDestroyRequest): Promise<EngineResult> {
    return this.operate(request, (run) => this.destroyStack(run, request));
  }

  /** The frame of every operation: stop signal, credentials, and errors turned into results. */
  private async operate(
    request: StackDestroyRequest,
    body: (run: StackRun) => Promise<EngineResult>,
  ): Promise<EngineResult> {
    const stopper = new Stopper(request.signal, request.timeoutMs);
    const clients: { destroy?(): void }[] = [];
    try {
      if (stopper.reason !== undefined) {
        return stopped(stopper.reason, 'before anything was sent to CloudFormation');
      }
      const api = await this.client(request, clients);
      const { pollIntervalMs, cleanupWaitMs } = this.settings;
      const run = { api, stackName: request.stackName, stopper, log: request.onEvent };
      return await body({ ...run, pollIntervalMs, cleanupWaitMs });
    } catch (error) {
      if (error instanceof AssumeRoleError) {
        return failed(classifyAwsError(error.cause), error.message);
      }
      const text = `${errorName(error)}: ${errorText(error)}`;
      return failed(classifyAwsError(error), `CloudFormation call failed: ${text}`);
    } finally {
      stopper.dispose();
      clients.forEach((client) => client.destroy?.());
    }
  }

  /** Builds this operation's clients (collected in `clients` for cleanup). */
  private async client(
    request: StackDestroyRequest,
    clients: { destroy?(): void }[],
  ): Promise<CloudFormationApi> {
    const { region, roleArn } = request;
    const base = this.settings.credentials;
    const build = (credentials: AwsCredentials | undefined): CloudFormationApi => {
      const api = this.settings.clientFactory({ region, credentials });
      if (this.settings.ownsClients) clients.push(api);
      return api;
    };
    if (roleArn === undefined) return build(base);
    const sessionName = roleSessionName(request.stackName);
    const sts = this.settings.stsClientFactory({ region, credentials: base });
    if (this.settings.ownsStsClients) clients.push(sts);
    try {
      const credentials = await assumeRoleCredentials({
        sts,
        roleArn,
        sessionName,
        durationSeconds: this.settings.assumeRoleDurationSeconds,
      });
      request.onEvent(`assumed role ${roleArn} as session ${sessionName}`);
      return build(credentials);
    } catch (error) {
      throw new AssumeRoleError(roleArn, error);
    }
  }

  private async deployStack(run: StackRun, request: StackDeployRequest): Promise<EngineResult> {
    let stack = await settle(run, await describeStack(run.api, run.stackName));
    if (stack === 'stopped') {
      return stopped(
        run.stopper.reason,
        'while an earlier operation was running; nothing was changed',
      );
    }
    const foreign = stack && refuseForeignStack(run, stack, request.owner, 'update');
    if (foreign) return foreign;
    const status = stack?.StackStatus ?? '';
    const remedy = BLOCKED_STATUSES[status];
    if (remedy !== undefined) {
      const why = stack?.StackStatusReason === undefined ? '' : ` (${stack.StackStatusReason})`;
      return failed('ENGINE_FAILED', `stack ${run.stackName} is in ${status}${why}; ${remedy}`);
    }
    if (stack !== undefined && RECREATE_STATUSES.has(status)) {
      run.log(`stack ${run.stackName} is in ${status}; deleting it before creating it again`);
      const removal = await deleteAndWait(run, stack.StackId ?? run.stackName, run.stopper.signal);
      if (removal.outcome !== 'SUCCEEDED') return removal;
      stack = undefined;
    }
    return stack === undefined
      ? this.createStack(run, request)
      : this.updateStack(run, request, stack);
  }

  private async createStack(run: StackRun, request: StackDeployRequest): Promise<EngineResult> {
    let stackId: string;
    try {
      const created = await run.api.createStack({
        StackName: run.stackName,
        TemplateBody: request.templateBody,
        Tags: toTags(request.tags),
        Capabilities: this.settings.capabilities,
        ClientRequestToken: token(),
      });
      stackId = created.StackId ?? run.stackName;
    } catch (error) {
      return rejected('CreateStack', error);
    }
    run.log(`creating stack ${stackId}`);
    const tail = new StackEventTail(run.api, stackId, run.log);
    const wait = await waitFor(run, stackId, tail, run.stopper.signal);
    if (wait.kind === 'stopped') return abandonCreate(run, stackId);
    return finish(run, wait.stack, tail, 'CREATE_COMPLETE');
  }

  private async updateStack(
    run: StackRun,
    request: StackDeployRequest,
    stack: Stack,
  ): Promise<EngineResult> {
    const stackId = stack.StackId ?? run.stackName;
    const changeSetName = `nucleon-${randomUUID()}`;
    const baseline = await StackEventTail.latestEventId(run.api, stackId);
    try {
      // Change sets are addressed by stack name: the live stack under that name is the one we
      // just described (and some CloudFormation look-alikes accept nothing else).
      await run.api.createChangeSet({
        StackName: run.stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: 'UPDATE',
        TemplateBody: request.templateBody,
        // Absent tags leave the stack's tags alone; an empty map would remove them all.
        Tags: toTags(request.tags),
        Capabilities: this.settings.capabilities,
        ClientToken: token(),
      });
    } catch (error) {
      return rejected('CreateChangeSet', error);
    }
    const early = await this.prepareChangeSet(run, stack, changeSetName);
    if (early !== undefined) return early;
    await run.api.executeChangeSet({
      StackName: run.stackName,
      ChangeSetName: changeSetName,
      ClientRequestToken: token(),
    });
    run.log(`updating stack ${stackId} with change set ${changeSetName}`);
    const tail = new StackEventTail(run.api, stackId, run.log, baseline);
    const wait = await waitFor(run, stackId, tail, run.stopper.signal);
    if (wait.kind === 'stopped') return cancelUpdate(run, stackId, tail);
    return finish(run, wait.stack, tail, 'UPDATE_COMPLETE');
  }

  /**
   * Waits for the change set; answers early (and deletes the change set) when it is not to be
   * executed: nothing to change, rejected, or stopped before execution.
   */
  private async prepareChangeSet(
    run: StackRun,
    stack: Stack,
    changeSetName: string,
  ): Promise<EngineResult | undefined> {
    const stackId = stack.StackId ?? run.stackName;
    const ready = await waitForChangeSet({
      api: run.api,
      stackName: run.stackName,
      changeSetName,
      pollIntervalMs: this.settings.pollIntervalMs,
      signal: run.stopper.signal,
    });
    if (ready.kind === 'done' && ready.changeSet.Status === 'CREATE_COMPLETE') return undefined;
    await run.api
      .deleteChangeSet({ StackName: run.stackName, ChangeSetName: changeSetName })
      .catch(() => undefined);
    if (ready.kind === 'stopped') {
      return stopped(run.stopper.reason, 'before the change set was executed; nothing was changed');
    }
    const reason = ready.changeSet.StatusReason ?? ready.changeSet.Status ?? 'no reason given';
    if (isNoChangeReason(reason)) {
      run.log(`stack ${run.stackName} is already up to date (${reason})`);
      return succeeded(run, stack, `stack ${stackId} is already up to date; nothing to change`);
    }
    return failed('TEMPLATE_INVALID', `CloudFormation could not create a change set: ${reason}`);
  }

  private async destroyStack(run: StackRun, request: StackDestroyRequest): Promise<EngineResult> {
    const stack = await settle(run, await describeStack(run.api, run.stackName));
    if (stack === 'stopped') {
      return stopped(
        run.stopper.reason,
        'while an earlier operation was running; nothing was deleted',
      );
    }
    if (stack === undefined) {
      const message = `stack ${run.stackName} does not exist; nothing to delete`;
      return { ...emptyResult('SUCCEEDED'), message };
    }
    const foreign = refuseForeignStack(run, stack, request.owner, 'delete');
    if (foreign) return foreign;
    const result = await deleteAndWait(run, stack.StackId ?? run.stackName, run.stopper.signal);
    if (result.outcome !== 'CANCELLED' && result.outcome !== 'TIMED_OUT') return result;
    const note =
      'DeleteStack had already been sent and cannot be undone, so the stack may still go away; ' +
      'run destroy again to wait for it';
    return { ...result, message: `${result.message}; ${note}` };
  }
}

/**
 * Waits out an operation a previous (crashed or concurrent) attempt left running, so a retry
 * never collides with it. Resolves the settled stack, `undefined` if it is gone, or `stopped`.
 */
async function settle(
  run: StackRun,
  stack: Stack | undefined,
): Promise<Stack | undefined | 'stopped'> {
  if (stack === undefined || !isInProgress(stack.StackStatus)) return stack;
  const stackId = stack.StackId ?? run.stackName;
  run.log(
    `stack ${run.stackName} is busy (${stack.StackStatus}); waiting for that to finish first`,
  );
  const baseline = await StackEventTail.latestEventId(run.api, stackId);
  const wait = await waitFor(
    run,
    stackId,
    new StackEventTail(run.api, stackId, run.log, baseline),
    run.stopper.signal,
  );
  if (wait.kind === 'stopped') return 'stopped';
  // Looked up by id, a deleted stack still answers, with DELETE_COMPLETE.
  return wait.stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : wait.stack;
}

/** Carries STS's refusal out of an operation, naming the role. */
class AssumeRoleError extends Error {
  constructor(
    roleArn: string,
    override readonly cause: unknown,
  ) {
    super(`could not assume role ${roleArn}: ${errorName(cause)}: ${errorText(cause)}`, { cause });
    this.name = 'AssumeRoleError';
  }
}
