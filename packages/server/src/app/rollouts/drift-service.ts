import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { ConflictError, NotFoundError, ValidationError, protonArn } from '@nucleon/core';
import type { DriftAcceptance, DriftAcceptanceStore } from '../../ports/drift-acceptance-store.js';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { StackInspector } from '../../ports/stack-inspector.js';
import type { TemplateRenderer } from '../../ports/version-bundles.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import { renderDeployment } from '../deploy/render-deployment.js';
import type { DriftCommandRunner } from '../../ports/drift-command-runner.js';
import { runDriftCommands } from './run-drift-commands.js';

const REDEPLOY =
  'redeploy to converge: UpdateServiceInstance/UpdateEnvironment with deploymentType CURRENT_VERSION';
const ACCEPT = 'accept: AcceptDrift with this driftFingerprint (nucleon drift accept)';

/** One resource's line in the drift report (NucleonDriftReportEntry). */
export type DriftEntry = Record<string, unknown> & {
  status: 'IN_SYNC' | 'DRIFTED' | 'ACCEPTED' | 'NOT_CHECKED';
  drifted: boolean;
  driftFingerprint?: string;
  note?: string;
  actions: string[];
};

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
    private readonly acceptances: DriftAcceptanceStore,
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
    const accepted = await this.acceptances.all();
    const resources = [];
    for (const r of all)
      resources.push(await this.one(r, input.detectStackDrift === true, accepted.get(r.arn)));
    return { resources };
  }

  /**
   * Accepts the drift of one environment or service instance as the report showed it (ADR 0023,
   * "Accepting drift"): it must be drifted now, with the same fingerprint; until the fingerprint
   * changes or the resource is deployed again, reports show it ACCEPTED.
   */
  async accept(input: Record<string, unknown>, acceptedBy: string) {
    const str = (k: string) => (typeof input[k] === 'string' ? input[k] : '');
    const fingerprint = str('driftFingerprint');
    if (!fingerprint)
      throw new ValidationError(
        'driftFingerprint is required: pass the driftFingerprint the drift report shows for the resource.',
      );
    const env = str('environmentName');
    const svc = str('serviceName');
    const inst = str('serviceInstanceName');
    if (!!env === !!(svc || inst) || (!env && !(svc && inst)))
      throw new ValidationError(
        'Name one resource: environmentName, or serviceName and serviceInstanceName.',
      );
    const r = await this.d.store.getResource(
      env
        ? { kind: 'ENVIRONMENT', serviceName: '', name: env }
        : { kind: 'SERVICE_INSTANCE', serviceName: svc, name: inst },
    );
    const label = env ? `environment ${env}` : `service instance ${svc}/${inst}`;
    if (!r) throw new NotFoundError(`The ${label} does not exist.`);
    const previous = (await this.acceptances.all()).get(r.arn);
    const entry = await this.one(r, false, previous);
    if (entry.status === 'ACCEPTED' && entry.driftFingerprint === fingerprint) return entry;
    if (entry.status !== 'DRIFTED' || !r.lastSucceededDeploymentId)
      throw new ValidationError(
        `The ${label} is not drifted (${entry.status}${entry.note ? `: ${entry.note}` : ''}); there is nothing to accept.`,
      );
    if (entry.driftFingerprint !== fingerprint)
      throw new ConflictError(
        `The ${label} has drifted differently since that report (its drift fingerprint is now ${entry.driftFingerprint}): re-run the drift report, review the drift, and accept the fingerprint it shows.`,
      );
    const saved = await this.acceptances.accept({
      resourceArn: r.arn,
      fingerprint,
      deploymentId: r.lastSucceededDeploymentId,
      acceptedBy,
    });
    if (!saved)
      throw new ConflictError(
        `The ${label} was deployed while its drift was being accepted: re-run the drift report.`,
      );
    return this.withAcceptance({ ...entry, status: 'DRIFTED' }, saved);
  }

  /** What the report shows for an observed drift given the resource's acceptance. */
  private withAcceptance(
    e: Record<string, unknown> & { status: DriftEntry['status']; driftFingerprint?: string },
    a: DriftAcceptance | undefined,
  ): DriftEntry {
    const accepted = !!a && e.status === 'DRIFTED' && a.fingerprint === e.driftFingerprint;
    const status = accepted ? 'ACCEPTED' : e.status;
    return {
      ...e,
      status,
      drifted: status === 'DRIFTED',
      ...(accepted
        ? {
            acceptance: a && {
              driftFingerprint: a.fingerprint,
              acceptedBy: a.acceptedBy,
              // Epoch seconds, not a Date: the scheduled report is stored as JSON and read back.
              acceptedAt: a.acceptedAt.getTime() / 1000,
            },
          }
        : {}),
      actions: status === 'DRIFTED' ? [REDEPLOY, ACCEPT] : status === 'ACCEPTED' ? [REDEPLOY] : [],
    };
  }

  private async one(
    r: ResourceRecord,
    detect: boolean,
    recorded?: DriftAcceptance,
  ): Promise<DriftEntry> {
    // An acceptance ends when the resource is deployed again (the deployment converges it).
    const acceptance =
      recorded && recorded.deploymentId === r.lastSucceededDeploymentId ? recorded : undefined;
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
        status: 'NOT_CHECKED',
        drifted: false,
        actions: [],
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
    let stackCurrent: string | undefined;
    if (dep.engine === 'cloudformation' && r.engineName) {
      const deployed = Object.values(dep.rendered)[0] ?? '';
      const current = await this.stacks.currentTemplate(r.engineName, this.d.arnScope.region);
      stackCurrent = current === undefined ? undefined : norm(current);
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
    // What was observed, so an acceptance holds only for this very drift: the stack's current
    // template, the rendered files' differences and the drift commands' verdict and output
    // (not CloudFormation's drift detection, which only some reports run: ADR 0023).
    const fingerprint = drifted
      ? createHash('sha256')
          .update(
            JSON.stringify({
              stackTemplate: stack ? (stackCurrent ?? null) : undefined,
              renderedChanges: renderedChanges.map((c) => [c.path, c.diff]),
              driftCommand: driftCommand
                ? [driftCommand.status, driftCommand.exitCode ?? null, driftCommand.output ?? '']
                : undefined,
            }),
          )
          .digest('hex')
      : undefined;
    return this.withAcceptance(
      {
        ...base,
        engine: dep.engine,
        status: drifted ? ('DRIFTED' as const) : ('IN_SYNC' as const),
        ...(fingerprint ? { driftFingerprint: fingerprint } : {}),
        renderedChanges,
        ...(stack ? { stack } : {}),
        ...(driftCommand ? { driftCommand } : {}),
      },
      acceptance,
    );
  }
}
