import { randomUUID } from 'node:crypto';
import { coerceError } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { DriftCommandResult, DriftCommandRunner } from '../../ports/drift-command-runner.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import type { RenderedDeployment } from '../deploy/render-deployment.js';

/** What a drift report shows of a codebuild template's `drift` commands. */
export interface DriftCommandView {
  status: DriftCommandResult['status'];
  exitCode?: number;
  message: string;
  output?: string;
}

/**
 * The role the commands act as: the environment account connection's codebuildRoleArn when the
 * environment is provisioned through one, else the environment's codebuildRoleArn (as for
 * provisioning). Undefined: the runner's own identity; an error message: cannot run.
 */
async function roleOf(d: DeployDeps, r: ResourceRecord): Promise<string | undefined | Error> {
  const env =
    r.kind === 'ENVIRONMENT'
      ? r
      : await d.store.getResource({
          kind: 'ENVIRONMENT',
          serviceName: '',
          name: r.environmentName ?? '',
        });
  const id = env?.settings.environmentAccountConnectionId;
  if (typeof id === 'string') {
    const c = await d.connections?.find(id);
    if (!c || c.status !== 'CONNECTED' || !c.codebuildRoleArn)
      return new Error(
        `the environment account connection ${id} is gone, not CONNECTED, or has no codebuildRoleArn`,
      );
    return c.codebuildRoleArn;
  }
  const v = env?.settings.codebuildRoleArn;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Runs the template's `drift` commands for a deployed codebuild resource, with the files and
 * inputs it deploys now. Undefined when the template has none (the rendered comparison alone
 * then decides). A run that cannot start or finish is NOT_CHECKED, never drift and never a
 * failed report.
 */
export async function runDriftCommands(
  d: DeployDeps,
  runner: { commands: DriftCommandRunner; timeoutMs: number } | undefined,
  r: ResourceRecord,
  rendered: RenderedDeployment,
): Promise<DriftCommandView | undefined> {
  const cb = rendered.folder.codebuild;
  if (rendered.folder.engine !== 'codebuild' || !cb?.drift?.length) return undefined;
  if (!runner) return { status: 'NOT_CHECKED', message: 'this Nucleon runs no template commands' };
  const role = await roleOf(d, r);
  if (role instanceof Error) return { status: 'NOT_CHECKED', message: role.message };
  try {
    const result = await runner.commands.checkDrift({
      checkId: `drift-${randomUUID()}`,
      resourceArn: r.arn,
      environmentName: r.kind === 'ENVIRONMENT' ? r.name : (r.environmentName ?? undefined),
      roleArn: role,
      files: rendered.files,
      commands: {
        drift: cb.drift,
        env: cb.env,
        image: cb.image,
        runtimes: cb.runtimes,
      },
      timeoutMs: runner.timeoutMs,
    });
    return {
      status: result.status,
      ...(result.exitCode === null ? {} : { exitCode: result.exitCode }),
      message: result.message,
      ...(result.output ? { output: result.output } : {}),
    };
  } catch (error) {
    return {
      status: 'NOT_CHECKED',
      message: `the drift commands could not run: ${coerceError(error).message}`,
    };
  }
}
