import { ValidationError, substituteCurrentValues } from '@nucleon/core';
import { parseEnvironmentSpec } from '@nucleon/templates';
import type { ResourceRecord, StartDeployment } from '../../ports/deployment-store.js';
import { checkInputs, type DeployDeps } from '../deploy/deploy-context.js';
import { engineOf } from '../deploy/engine-of.js';
import { withInputWarnings } from '../deploy/input-warnings.js';
import { planDeployment } from '../deploy/plan-deployment.js';

/**
 * The inputs an environment gets from its spec on a bundle (UpdateEnvironment's rules: the spec
 * file parsed, `${Proton::CURRENT_VAL}` filled from its current inputs, validated against the
 * version's schema) and the warnings about what the schema does not declare (ADR 0016).
 */
export function environmentInputs(
  bundle: Awaited<ReturnType<DeployDeps['bundles']['load']>>,
  env: ResourceRecord,
): { inputs: Record<string, unknown>; warnings: string[] } {
  let file: { spec: Record<string, unknown>; warnings: readonly string[] };
  try {
    file = parseEnvironmentSpec(env.spec ?? '');
  } catch (error) {
    throw new ValidationError(
      `spec: the spec of environment ${env.name}: ${(error as Error).message}`,
    );
  }
  const { values, missing } = substituteCurrentValues(
    file.spec,
    (env.settings.inputs as Record<string, unknown>) ?? {},
  );
  if (missing.length)
    throw new ValidationError(
      `spec: \${Proton::CURRENT_VAL} used for ${missing.join(', ')}, which have no current value.`,
    );
  const checked = checkInputs(bundle, 'environment', values, 'spec');
  return { inputs: checked.inputs, warnings: [...file.warnings, ...checked.warnings] };
}

/**
 * The deployment that moves an environment to a version, through the same planning as
 * UpdateEnvironment: its spec validated against the version's schema (or, for a rollback, the
 * exact spec and settings it had before) and the engine chosen from the bundle and its settings.
 */
export async function planEnvironmentDeployment(
  d: DeployDeps,
  env: ResourceRecord,
  to: {
    major: number;
    minor: number;
    restore?: { spec: string | null; settings: Record<string, unknown> };
  },
): Promise<StartDeployment> {
  const bundle = await d.bundles.load('ENVIRONMENT', env.templateName, to.major, to.minor);
  let settings: Record<string, unknown>;
  if (to.restore) settings = to.restore.settings;
  else {
    const checked = environmentInputs(bundle, env);
    settings = withInputWarnings({ ...env.settings, inputs: checked.inputs }, checked.warnings);
  }
  return planDeployment({
    arnScope: d.arnScope,
    now: d.clock.now(),
    current: env,
    next: {
      ...env,
      templateMajor: to.major,
      templateMinor: to.minor,
      spec: to.restore ? to.restore.spec : env.spec,
      settings,
    },
    operation: 'DEPLOY',
    engine: engineOf(bundle.environment, settings, d.terraformCli),
  });
}
