import {
  coerceError,
  engineResourceName,
  finalStatus,
  isActive,
  legacyEngineResourceName,
  protonArn,
  provisioningFolder,
  type ArnScope,
  type Logger,
  type TemplateKind,
} from '@nucleon/core';
import type { ClaimedJob } from '../../ports/job-queue.js';
import type { DeploymentRecord, DeploymentStore, ResourceRecord } from '../../ports/deployment-store.js';
import type { Provisioner } from '../../ports/provisioner.js';
import type { LoadedBundle, TemplateRenderer, VersionBundles } from '../../ports/version-bundles.js';
import { componentFolder } from './components-service.js';
import { EventBuffer } from './event-buffer.js';
import { renderDeployment } from './render-deployment.js';

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
  /** Called after a deployment ends (services recompute their status). */
  onFinished(deployment: DeploymentRecord): Promise<void>;
}

/** Engines whose run may safely be repeated after a crash (stack name, Terraform state, one commit per deployment). */
const RESUMABLE = new Set(['cloudformation', 'none', 'terraform', 'terraform-cli']);

/** A component's one template file, shaped like a bundle's infrastructure folder. */
function componentBundle(r: ResourceRecord): LoadedBundle {
  const folder = componentFolder(String(r.settings.manifest), String(r.settings.templateFile));
  return {
    files: new Map([[folder.files[0]!, Buffer.from(folder.content, 'utf8')]]),
    environment: { engine: folder.engine, directory: folder.directory, files: folder.files },
    validateInputs: (_w, inputs) => ({ ok: true, value: (inputs as Record<string, unknown>) ?? {} }),
    hasInputType: () => false,
  };
}

/**
 * Runs one deployment job: render, run the engine, record outputs, end in a terminal status.
 * A job claimed again after a crash resumes engines that are idempotent and fails the others
 * with a message saying why, so nothing stays IN_PROGRESS and no command runs twice.
 */
export class DeploymentRunner {
  constructor(private readonly d: DeploymentRunnerDeps) {}

  async handle(job: ClaimedJob): Promise<void> {
    const id = String(job.payload.deploymentId);
    const deployment = await this.d.store.getDeployment(id);
    if (!deployment || !isActive(deployment.status)) return;
    const events = new EventBuffer(this.d.store, id);
    try {
      if (job.attempts > 1 && !RESUMABLE.has(deployment.engine)) {
        return await this.finish(deployment, events, 'FAILED', `Nucleon stopped while this deployment was running (attempt ${job.attempts - 1} of its job was interrupted). Its commands run at most once, so it was not repeated; check what they changed, then redeploy.`);
      }
      if (deployment.cancelRequested) return await this.finish(deployment, events, 'CANCELLED', 'User initiated cancellation.');
      events.push('status', `${deployment.operation === 'DELETE' ? 'delete' : 'deployment'} started on engine ${deployment.engine}${job.attempts > 1 ? ` (resumed, attempt ${job.attempts})` : ''}`);
      await this.run(deployment, events);
    } catch (thrown) {
      const error = coerceError(thrown);
      this.d.logger.warn('deployment failed', { deploymentId: id, error: error.message });
      await this.finish(deployment, events, deployment.operation === 'DELETE' ? 'DELETE_FAILED' : 'FAILED', error.message);
    } finally {
      await events.close();
    }
  }

  private async run(deployment: DeploymentRecord, events: EventBuffer): Promise<void> {
    const resource = await this.d.store.getResource(deployment.target);
    if (!resource) throw new Error(`the resource ${deployment.targetArn} no longer exists`);
    const kind: TemplateKind = resource.kind === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE';
    const state = deployment.targetState as { templateMajorVersion: string; templateMinorVersion: string };
    if (deployment.engine === 'none') {
      const inputs = (resource.settings.inputs as Record<string, unknown>) ?? {};
      const outputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      return this.finish(deployment, events, deployment.operation === 'DELETE' ? 'DELETE_COMPLETE' : 'SUCCEEDED', 'customer-managed: the spec supplies the outputs', outputs);
    }
    const provisioner = this.d.provisioners[deployment.engine];
    if (!provisioner) throw new Error(`the ${deployment.engine} engine is not available on this Nucleon`);
    const bundle =
      resource.kind === 'COMPONENT'
        ? componentBundle(resource)
        : await this.d.bundles.load(kind, resource.templateName, Number(state.templateMajorVersion), Number(state.templateMinorVersion));
    const templateArn = resource.kind === 'COMPONENT' ? resource.arn : protonArn(this.d.arnScope, `${kind === 'ENVIRONMENT' ? 'environment' : 'service'}-template/${resource.templateName}:${state.templateMajorVersion}.${state.templateMinorVersion}`);
    const environmentArn = resource.environmentName ? protonArn(this.d.arnScope, `environment/${resource.environmentName}`) : undefined;
    const rendered = await renderDeployment({ store: this.d.store, renderer: this.d.renderer, bundle, resource, accountId: this.d.accountId, deployment, templateArn, environmentArn });
    await this.d.store.saveRendered(deployment.id, rendered.visible);
    events.push('status', `rendered ${Object.keys(rendered.visible).join(', ')}`);

    const engineName = await this.engineName(resource);
    const abort = new AbortController();
    const poll = setInterval(() => {
      void this.d.store.getDeployment(deployment.id).then((d) => {
        if (d?.cancelRequested && !abort.signal.aborted) {
          events.push('status', 'cancellation requested');
          abort.abort();
        }
      });
    }, this.d.cancelPollMs ?? 500);
    try {
      const result = await provisioner.run({
        deploymentId: deployment.id,
        operation: deployment.operation,
        resourceArn: resource.arn,
        resourceName: engineName,
        owner: { installationId: this.d.installationId, resourceArn: resource.arn, legacyName: engineName === legacyEngineResourceName(resource) },
        files: rendered.files,
        ...(rendered.templateFile ? { templateFile: rendered.templateFile } : {}),
        ...(rendered.folder.codebuild ? { commands: rendered.folder.codebuild } : {}),
        roleArn: await this.roleFor(resource, deployment.engine),
        repository: await this.repositoryFor(resource),
        timeoutMs: this.d.timeoutMs,
        signal: abort.signal,
        log: (k, message) => events.push(k, message),
        reportedOutputs: async () => (await this.d.store.getDeployment(deployment.id))?.outputs ?? {},
      });
      if (result.awaitingNotification && result.outcome === 'SUCCEEDED') {
        events.push('status', `${result.message}; waiting for NotifyResourceDeploymentStatusChange with deploymentId ${deployment.id}`);
        return;
      }
      const status = finalStatus(result.outcome, deployment.operation === 'DELETE');
      const message = result.outcome === 'CANCELLED' ? 'User initiated cancellation.' : result.message;
      await this.finish(deployment, events, status, message, result.outputs, result.provisionedResources);
    } finally {
      clearInterval(poll);
    }
  }

  /**
   * The resource's stack / Terraform state name: the stored one, else a new unambiguous name stored
   * now, on first provisioning, and never recomputed (ADR 0010).
   */
  private async engineName(r: ResourceRecord): Promise<string> {
    if (r.engineName) return r.engineName;
    const name = await this.d.store.assignEngineName(r, engineResourceName(this.d.installationId, r));
    if (!name) throw new Error(`the resource ${r.arn} no longer exists`);
    return name;
  }

  /** Self-managed Terraform: the environment's provisioning repository and the resource's folder. */
  private async repositoryFor(r: ResourceRecord): Promise<{ provider: string; name: string; branch: string; folder: string } | undefined> {
    const env = r.kind === 'ENVIRONMENT' ? r : await this.d.store.getResource({ kind: 'ENVIRONMENT', serviceName: '', name: r.environmentName ?? '' });
    const repo = env?.settings.provisioningRepository as { provider?: string; name?: string; branch?: string } | undefined;
    if (!repo?.provider || !repo.name || !repo.branch) return undefined;
    const folder = r.provisioningFolder ?? provisioningFolder(r);
    return { provider: repo.provider, name: repo.name, branch: repo.branch, folder };
  }

  private async roleFor(r: ResourceRecord, engine: string): Promise<string | undefined> {
    const envName = r.kind === 'ENVIRONMENT' ? r.name : r.environmentName;
    const env = r.kind === 'ENVIRONMENT' ? r : await this.d.store.getResource({ kind: 'ENVIRONMENT', serviceName: '', name: envName ?? '' });
    const key = engine === 'codebuild' ? 'codebuildRoleArn' : 'protonServiceRoleArn';
    const v = env?.settings[key];
    return typeof v === 'string' ? v : undefined;
  }

  private async finish(
    deployment: DeploymentRecord,
    events: EventBuffer,
    status: Parameters<DeploymentStore['finishDeployment']>[1]['status'],
    message: string,
    outputs?: Record<string, string>,
    provisionedResources?: DeploymentRecord['provisionedResources'],
  ): Promise<void> {
    events.push('status', `${status}: ${message}`);
    await events.flush();
    const done = await this.d.store.finishDeployment(deployment.id, { status, message: message.slice(0, 5000), outputs, provisionedResources });
    if (done) await this.d.onFinished(deployment);
  }
}
