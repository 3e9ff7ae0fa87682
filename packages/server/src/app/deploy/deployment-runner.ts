import {
  coerceError,
  engineResourceName,
  finalStatus,
  isActive,
  legacyEngineResourceName,
  NucleonError,
  ValidationError,
  protonArn,
  provisioningFolder,
  type ArnScope,
  type Logger,
  type TemplateKind,
} from '@nucleon/core';
import { FaultStep, noFaults, type FaultInjector } from '../../ports/fault-injector.js';
import { NonRetryableJobError, type ClaimedJob } from '../../ports/job-queue.js';
import type {
  DeploymentRecord,
  DeploymentStore,
  ResourceRecord,
} from '../../ports/deployment-store.js';
import type { Provisioner } from '../../ports/provisioner.js';
import type { ConnectionStore } from '../../ports/connection-store.js';
import type { TemplateRenderer, VersionBundles } from '../../ports/version-bundles.js';
import { componentBundle } from './components-service.js';
import { environmentReadOnce } from './environment-read-once.js';
import { EventBuffer } from './event-buffer.js';
import { failureMessage } from './failure-advice.js';
import { describeInputWarnings, inputWarningsOf } from './input-warnings.js';
import { renderDeployment } from './render-deployment.js';
import { StallWatch } from './stall-watch.js';

export interface DeploymentRunnerDeps {
  store: DeploymentStore;
  bundles: VersionBundles;
  renderer: TemplateRenderer;
  provisioners: Readonly<Record<string, Provisioner | undefined>>;
  accountId: string;
  /** This installation's id: salts engine names and tags the stacks it owns (ADR 0010). */
  installationId: string;
  arnScope: ArnScope;
  logger: Logger;
  timeoutMs: number;
  cancelPollMs?: number;
  /** A running engine silent this long gets a warning event and status message (default 5 minutes). */
  stallWarningMs?: number;
  /** Test-only failures at named steps (the fault-injection suite); none in production. */
  faults?: FaultInjector;
  /** Environment account connections, whose roles connected environments deploy with (ADR 0018). */
  connections?: Pick<ConnectionStore, 'get'>;
  /**
   * The account settings' pipelineProvisioningRepository: where self-managed Terraform pipelines
   * are committed, as in Proton (ADR 0030).
   */
  pipelineRepository?: () => Promise<
    { provider: string; name: string; branch: string } | undefined
  >;
}

/**
 * Engines whose run may safely be repeated after a crash (stack name, Terraform state, one commit
 * per deployment). The others (codebuild: the template's own commands) run at most once.
 */
const RESUMABLE = new Set(['cloudformation', 'none', 'terraform', 'terraform-cli']);

/** Errors that trying again cannot fix: the template, the spec or the resource is wrong. */
function isPermanent(error: Error): boolean {
  return (
    error instanceof NucleonError ||
    error instanceof NonRetryableJobError ||
    error.name === 'RenderError'
  );
}

/** Where a run got to, so a failure knows whether a later attempt may run the engine. */
interface Progress {
  /** The rendered files are recorded: a later attempt of a non-resumable engine will not run it. */
  engineReached: boolean;
}

/**
 * Runs one deployment job: render, run the engine, record outputs, end in a terminal status.
 * A job claimed again after a crash resumes engines that are idempotent and fails the others
 * with a message saying why, so nothing stays IN_PROGRESS and no command runs twice.
 */
export class DeploymentRunner {
  constructor(private readonly d: DeploymentRunnerDeps) {}

  /**
   * One attempt of a deployment job. Errors that trying again cannot fix end the deployment now;
   * other errors are thrown so the queue retries the job with backoff, except once a non-resumable
   * engine may have acted (its commands run at most once). When `signal` aborts (the worker lost
   * the job or is stopping), the engine is stopped and no result is written.
   */
  async handle(job: ClaimedJob, signal: AbortSignal = new AbortController().signal): Promise<void> {
    const id = String(job.payload.deploymentId);
    const deployment = await this.d.store.getDeployment(id);
    if (!deployment || !isActive(deployment.status)) return;
    const events = new EventBuffer(this.d.store, id);
    const progress: Progress = { engineReached: false };
    try {
      if (job.attempts > 1 && deployment.rendered !== null && !RESUMABLE.has(deployment.engine)) {
        return await this.finish(
          deployment,
          events,
          this.failedStatus(deployment),
          `Nucleon stopped while this deployment was running (attempt ${job.attempts - 1} of its job was interrupted after its commands may have started). Its commands run at most once, so it was not repeated; check what they changed, then redeploy.`,
        );
      }
      this.fault(FaultStep.CLAIM, deployment);
      if (deployment.cancelRequested)
        return await this.finish(deployment, events, 'CANCELLED', 'User initiated cancellation.');
      events.push(
        'status',
        `${deployment.operation === 'DELETE' ? 'delete' : 'deployment'} started on engine ${deployment.engine}${job.attempts > 1 ? ` (resumed, attempt ${job.attempts})` : ''}`,
      );
      await this.run(deployment, events, signal, progress);
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      const error = coerceError(thrown);
      // Once a non-resumable engine was reached, a later attempt would not run it: end now with the cause.
      const final =
        isPermanent(error) || (progress.engineReached && !RESUMABLE.has(deployment.engine));
      if (!final) {
        this.d.logger.warn('deployment attempt failed', {
          deploymentId: id,
          attempt: job.attempts,
          error: error.message,
        });
        events.push(
          'status',
          `attempt ${job.attempts} of ${job.maxAttempts} failed${job.attempts < job.maxAttempts ? ' and will be retried' : ''}: ${error.message}`,
        );
        throw error;
      }
      this.d.logger.warn('deployment failed', { deploymentId: id, error: error.message });
      await this.finish(deployment, events, this.failedStatus(deployment), error.message);
    } finally {
      await events.close();
    }
  }

  /**
   * Ends a deployment whose job ran out of attempts (the sweeper): FAILED, or DELETE_FAILED for a
   * delete, with what happened and what to do. Does nothing when the deployment already ended.
   */
  async exhausted(job: ClaimedJob): Promise<void> {
    const id = String(job.payload.deploymentId);
    const deployment = await this.d.store.getDeployment(id);
    if (!deployment || !isActive(deployment.status)) return;
    const events = new EventBuffer(this.d.store, id);
    const what = deployment.operation === 'DELETE' ? 'delete' : 'deployment';
    const cause = job.lastError
      ? `the last attempt failed with: ${job.lastError}`
      : 'each attempt was interrupted (the worker running it stopped or lost its database connection)';
    const next = deployment.operation === 'DELETE' ? 'delete the resource again' : 'deploy again';
    try {
      await this.finish(
        deployment,
        events,
        this.failedStatus(deployment),
        `Nucleon gave up on this ${what} after ${job.attempts} attempts: ${cause}. Check the Nucleon server log for deployment ${id}, fix the cause, then ${next}.`,
      );
    } finally {
      await events.close();
    }
  }

  private failedStatus(deployment: DeploymentRecord): 'FAILED' | 'DELETE_FAILED' {
    return deployment.operation === 'DELETE' ? 'DELETE_FAILED' : 'FAILED';
  }

  /** Test-only: the subject is the resource's name, with `/delete` for a delete. */
  private fault(step: FaultStep, deployment: DeploymentRecord): void {
    (this.d.faults ?? noFaults).at(
      step,
      deployment.operation === 'DELETE'
        ? `${deployment.target.name}/delete`
        : deployment.target.name,
    );
  }

  private async run(
    deployment: DeploymentRecord,
    events: EventBuffer,
    signal: AbortSignal,
    progress: Progress,
  ): Promise<void> {
    const resource = await this.d.store.getResource(deployment.target);
    if (!resource) throw new Error(`the resource ${deployment.targetArn} no longer exists`);
    const warnings = deployment.operation === 'DELETE' ? [] : inputWarningsOf(resource.settings);
    for (const warning of warnings) events.push('status', `warning: ${warning}`);
    const withWarnings = (message: string): string =>
      warnings.length === 0 ? message : `${message}. ${describeInputWarnings(warnings)}`;
    const kind: TemplateKind = resource.kind === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE';
    const state = deployment.targetState as {
      templateMajorVersion: string;
      templateMinorVersion: string;
    };
    if (deployment.engine === 'none') {
      const inputs = (resource.settings.inputs as Record<string, unknown>) ?? {};
      const outputs = Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
      return this.finish(
        deployment,
        events,
        deployment.operation === 'DELETE' ? 'DELETE_COMPLETE' : 'SUCCEEDED',
        withWarnings('customer-managed: the spec supplies the outputs'),
        outputs,
      );
    }
    const provisioner = this.d.provisioners[deployment.engine];
    if (!provisioner)
      throw new Error(`the ${deployment.engine} engine is not available on this Nucleon`);
    const bundle =
      resource.kind === 'COMPONENT'
        ? componentBundle(resource)
        : await this.d.bundles.load(
            kind,
            resource.templateName,
            Number(state.templateMajorVersion),
            Number(state.templateMinorVersion),
          );
    this.fault(FaultStep.RENDER, deployment);
    const templateArn =
      resource.kind === 'COMPONENT'
        ? resource.arn
        : protonArn(
            this.d.arnScope,
            `${kind === 'ENVIRONMENT' ? 'environment' : 'service'}-template/${resource.templateName}:${state.templateMajorVersion}.${state.templateMinorVersion}`,
          );
    const environmentArn = resource.environmentName
      ? protonArn(this.d.arnScope, `environment/${resource.environmentName}`)
      : undefined;
    events.push('status', 'rendering the templates');
    // The render context, the role and the repository all read the environment: once here.
    const reads = environmentReadOnce(this.d.store);
    const rendered = await renderDeployment({
      store: reads,
      renderer: this.d.renderer,
      bundle,
      resource,
      accountId: this.d.accountId,
      deployment,
      templateArn,
      environmentArn,
    });
    const roleArn = await this.roleFor(resource, deployment.engine, reads);
    const repository = await this.repositoryFor(resource, reads);
    // Recorded before the engine starts: a later attempt of a non-resumable engine sees it and does not repeat the commands.
    await this.d.store.saveRendered(deployment.id, rendered.visible);
    progress.engineReached = true;
    events.push('status', `rendered ${Object.keys(rendered.visible).join(', ')}`);

    const engineName = await this.engineName(resource);
    // Stops the engine on a user's cancel, or when the worker gives the job up (lost lease, stopping).
    const abort = new AbortController();
    const stop = () => abort.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    const poll = setInterval(() => {
      this.d.store.getDeployment(deployment.id).then(
        (d) => {
          if (d?.cancelRequested && !abort.signal.aborted) {
            events.push('status', 'cancellation requested');
            abort.abort();
          }
        },
        // The database may be briefly unreachable: the next poll asks again.
        (error: unknown) =>
          this.d.logger.warn('could not check for a cancellation request', {
            deploymentId: deployment.id,
            error: coerceError(error).message,
          }),
      );
    }, this.d.cancelPollMs ?? 500);
    const stall = new StallWatch({
      afterMs: this.d.stallWarningMs ?? 5 * 60_000,
      engine: deployment.engine,
      target: deployment.target,
      deadline: new Date(Date.now() + this.d.timeoutMs),
      logger: this.d.logger.child({ deploymentId: deployment.id }),
      report: async (message, event) => {
        events.push('status', event);
        await events.flush(); // the event is in the log before the message shows
        await this.d.store.noteProgress(deployment.id, message);
      },
    });
    try {
      signal.throwIfAborted();
      this.fault(FaultStep.ENGINE_START, deployment);
      const result = await provisioner.run({
        deploymentId: deployment.id,
        operation: deployment.operation,
        resourceArn: resource.arn,
        resourceName: engineName,
        owner: {
          installationId: this.d.installationId,
          resourceArn: resource.arn,
          legacyName: engineName === legacyEngineResourceName(resource),
          ...(typeof resource.settings.adoptedStackId === 'string'
            ? { adoptedStackId: resource.settings.adoptedStackId }
            : {}),
        },
        files: rendered.files,
        ...(rendered.templateFile ? { templateFile: rendered.templateFile } : {}),
        ...(rendered.folder.codebuild ? { commands: rendered.folder.codebuild } : {}),
        roleArn,
        environmentName:
          resource.kind === 'ENVIRONMENT' ? resource.name : (resource.environmentName ?? undefined),
        repository,
        timeoutMs: this.d.timeoutMs,
        signal: abort.signal,
        log: (k, message) => {
          stall.output(message);
          events.push(k, message);
        },
        reportedOutputs: async () =>
          (await this.d.store.getDeployment(deployment.id))?.outputs ?? {},
      });
      // The worker gave the job up: whatever the engine reported, this worker records nothing.
      signal.throwIfAborted();
      this.fault(FaultStep.ENGINE_RUNNING, deployment);
      if (result.awaitingNotification && result.outcome === 'SUCCEEDED') {
        events.push(
          'status',
          `${result.message}; waiting for NotifyResourceDeploymentStatusChange with deploymentId ${deployment.id}`,
        );
        return;
      }
      const status = finalStatus(result.outcome, deployment.operation === 'DELETE');
      const message = withWarnings(
        result.outcome === 'CANCELLED' ? 'User initiated cancellation.' : failureMessage(result),
      );
      await this.finish(
        deployment,
        events,
        status,
        message,
        result.outputs,
        result.provisionedResources,
      );
    } finally {
      clearInterval(poll);
      stall.stop();
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * The resource's stack / Terraform state name: the stored one, else a new unambiguous name stored
   * now, on first provisioning, and never recomputed (ADR 0010).
   */
  private async engineName(r: ResourceRecord): Promise<string> {
    if (r.engineName) return r.engineName;
    const name = await this.d.store.assignEngineName(
      r,
      engineResourceName(this.d.installationId, r),
    );
    if (!name) throw new Error(`the resource ${r.arn} no longer exists`);
    return name;
  }

  /** Self-managed Terraform: the environment's provisioning repository and the resource's folder. */
  private async repositoryFor(
    r: ResourceRecord,
    store: DeploymentStore,
  ): Promise<{ provider: string; name: string; branch: string; folder: string } | undefined> {
    if (r.kind === 'SERVICE_PIPELINE') {
      const repo = await this.d.pipelineRepository?.();
      if (!repo) return undefined;
      const folder = r.provisioningFolder ?? provisioningFolder(r);
      return { provider: repo.provider, name: repo.name, branch: repo.branch, folder };
    }
    const env =
      r.kind === 'ENVIRONMENT'
        ? r
        : await store.getResource({
            kind: 'ENVIRONMENT',
            serviceName: '',
            name: r.environmentName ?? '',
          });
    const repo = env?.settings.provisioningRepository as
      { provider?: string; name?: string; branch?: string } | undefined;
    if (!repo?.provider || !repo.name || !repo.branch) return undefined;
    const folder = r.provisioningFolder ?? provisioningFolder(r);
    return { provider: repo.provider, name: repo.name, branch: repo.branch, folder };
  }

  private async roleFor(
    r: ResourceRecord,
    engine: string,
    store: DeploymentStore,
  ): Promise<string | undefined> {
    const envName = r.kind === 'ENVIRONMENT' ? r.name : r.environmentName;
    const env =
      r.kind === 'ENVIRONMENT'
        ? r
        : await store.getResource({
            kind: 'ENVIRONMENT',
            serviceName: '',
            name: envName ?? '',
          });
    const connectionId = env?.settings.environmentAccountConnectionId;
    if (env && typeof connectionId === 'string')
      return this.connectionRole(env, connectionId, r.kind === 'COMPONENT' ? 'component' : engine);
    const key = engine === 'codebuild' ? 'codebuildRoleArn' : 'protonServiceRoleArn';
    const v = env?.settings[key];
    return typeof v === 'string' ? v : undefined;
  }

  /**
   * The role of the environment's account connection, read at each deployment (the environment
   * account may have updated it). Without a usable connection and role nothing is deployed: the
   * server's own credentials would act in the management account instead.
   */
  private async connectionRole(env: ResourceRecord, id: string, use: string): Promise<string> {
    const c = await this.d.connections?.get(id);
    const stored = env.settings.environmentAccountId;
    const account = typeof stored === 'string' ? stored : '';
    const next = `until a new connection from account ${account} for the environment ${env.name} is accepted and the environment is moved to it (UpdateEnvironment with environmentAccountConnectionId)`;
    if (!c)
      throw new ValidationError(
        `The environment account connection ${id} of the environment ${env.name} was deleted: Nucleon cannot manage its resources in account ${account} ${next}.`,
      );
    if (c.status !== 'CONNECTED')
      throw new ValidationError(
        `The environment account connection ${id} of the environment ${env.name} is ${c.status}, not CONNECTED: Nucleon cannot manage its resources in account ${account} ${next}.`,
      );
    const [field, role] =
      use === 'codebuild'
        ? ['codebuildRoleArn', c.codebuildRoleArn]
        : use === 'component'
          ? ['componentRoleArn', c.componentRoleArn ?? c.roleArn]
          : ['roleArn', c.roleArn];
    if (!role)
      throw new ValidationError(
        `The environment account connection ${id} has no ${field}, which this deployment needs to act in account ${account}. Ask account ${account} to add one with UpdateEnvironmentAccountConnection, then deploy again.`,
      );
    return role;
  }

  private async finish(
    deployment: DeploymentRecord,
    events: EventBuffer,
    status: Parameters<DeploymentStore['finishDeployment']>[1]['status'],
    message: string,
    outputs?: Record<string, string>,
    provisionedResources?: DeploymentRecord['provisionedResources'],
  ): Promise<void> {
    this.fault(FaultStep.FINISH, deployment);
    events.push('status', `${status}: ${message}`);
    await events.flush();
    // One transaction ends the deployment, updates its resource and enqueues the service's reconcile.
    const done = await this.d.store.finishDeployment(deployment.id, {
      status,
      message: message.slice(0, 5000),
      outputs,
      provisionedResources,
    });
    if (done) this.fault(FaultStep.OUTPUTS_RECORDED, deployment);
  }
}
