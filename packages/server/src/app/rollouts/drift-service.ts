import { createTwoFilesPatch } from 'diff';
import { protonArn } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { StackInspector } from '../../ports/stack-inspector.js';
import type { TemplateRenderer } from '../../ports/version-bundles.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import { renderDeployment } from '../deploy/render-deployment.js';
import type { DriftCommandRunner } from '../../ports/drift-command-runner.js';
import { runDriftCommands } from './run-drift-commands.js';

const norm = (s: string) => s.replace(/\r\n/g, '\n').trimEnd();
const patch = (path: string, a: string, b: string) =>
  createTwoFilesPatch(`deployed/${path}`, `now/${path}`, a, b, '', '', { context: 3 });

/**
 * Drift of deployed environments and service instances: what their template renders to now
 * against what their last successful deployment rendered (every engine: inputs, environment and
 * component outputs feed the render), for CloudFormation the stack's current template against
 * the deployed one plus CloudFormation's own drift detection where the cloud has it, and for
 * codebuild templates that declare them their manifest's `drift` commands.
 */
export class DriftService {
  constructor(
    private readonly d: DeployDeps,
    private readonly renderer: TemplateRenderer,
    private readonly stacks: StackInspector,
    private readonly accountId: string,
    /** Where codebuild templates' `drift` commands run (the provisioning runner). */
    private readonly commands?: { commands: DriftCommandRunner; timeoutMs: number },
  ) {}

  async report(input: {
    templateName?: string;
    environmentName?: string;
    detectStackDrift?: boolean;
  }) {
    const all = [
      ...(await this.d.store.listResources({ kind: 'ENVIRONMENT' })),
      ...(await this.d.store.listResources({ kind: 'SERVICE_INSTANCE' })),
    ].filter(
      (r) =>
        (!input.templateName || r.templateName === input.templateName) &&
        (!input.environmentName || r.environmentName === input.environmentName),
    );
    const resources = [];
    for (const r of all) resources.push(await this.one(r, input.detectStackDrift === true));
    return { resources };
  }

  private async one(r: ResourceRecord, detect: boolean) {
    const base = {
      kind: r.kind,
      name: r.name,
      ...(r.kind === 'SERVICE_INSTANCE' ? { serviceName: r.serviceName } : {}),
      environmentName: r.environmentName ?? '',
      templateName: r.templateName,
      version: `${r.templateMajor}.${r.templateMinor}`,
    };
    const dep = r.lastSucceededDeploymentId
      ? await this.d.store.getDeployment(r.lastSucceededDeploymentId)
      : undefined;
    if (r.deploymentStatus !== 'SUCCEEDED' || !dep?.rendered)
      return {
        ...base,
        drifted: false,
        note: `not checked: the last deployment is ${r.deploymentStatus}${dep?.rendered ? '' : ' and no rendered files were recorded'}`,
      };
    const kind = r.kind === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE';
    const bundle = await this.d.bundles.load(
      kind,
      r.templateName,
      r.templateMajor,
      r.templateMinor,
    );
    const now = await renderDeployment({
      store: this.d.store,
      renderer: this.renderer,
      bundle,
      resource: r,
      accountId: this.accountId,
      deployment: { id: 'drift', operation: 'DEPLOY' },
      templateArn: protonArn(
        this.d.arnScope,
        `${kind === 'ENVIRONMENT' ? 'environment' : 'service'}-template/${r.templateName}`,
      ),
    });
    const renderedChanges = [
      ...new Set([...Object.keys(dep.rendered), ...Object.keys(now.visible)]),
    ]
      .sort()
      .filter((p) => norm(dep.rendered![p] ?? '') !== norm(now.visible[p] ?? ''))
      .map((path) => ({
        path,
        diff: patch(path, dep.rendered![path] ?? '', now.visible[path] ?? ''),
      }));
    let stack: Record<string, unknown> | undefined;
    let stackDrifted = false;
    if (dep.engine === 'cloudformation' && r.engineName) {
      const deployed = Object.values(dep.rendered)[0] ?? '';
      const current = await this.stacks.currentTemplate(r.engineName, this.d.arnScope.region);
      stackDrifted = current === undefined || norm(current) !== norm(deployed);
      stack = {
        stackName: r.engineName,
        ...(current === undefined
          ? { note: 'the stack does not exist any more' }
          : stackDrifted
            ? { templateDiff: patch('template', deployed, current) }
            : {}),
      };
      if (detect && current !== undefined) {
        const found = await this.stacks.detectDrift(r.engineName, this.d.arnScope.region);
        if (found.kind === 'detected') {
          stackDrifted ||= found.stackDriftStatus === 'DRIFTED';
          stack.detection = found;
        } else stack.detectionNote = found.message;
      }
    }
    const driftCommand =
      dep.engine === 'codebuild'
        ? await runDriftCommands(this.d, this.commands, r, now)
        : undefined;
    const drifted =
      renderedChanges.length > 0 || stackDrifted || driftCommand?.status === 'DRIFTED';
    return {
      ...base,
      engine: dep.engine,
      drifted,
      renderedChanges,
      ...(stack ? { stack } : {}),
      ...(driftCommand ? { driftCommand } : {}),
      actions: drifted
        ? [
            'redeploy to converge: UpdateServiceInstance/UpdateEnvironment with deploymentType CURRENT_VERSION',
          ]
        : [],
    };
  }
}
