import { ValidationError, substituteCurrentValues } from '@nucleon/core';
import type { ResourceRecord, StartDeployment } from '../../ports/deployment-store.js';
import { checkInputs, type DeployDeps } from '../deploy/deploy-context.js';
import { engineOf } from '../deploy/engine-of.js';
import { withInputWarnings } from '../deploy/input-warnings.js';
import { planDeployment } from '../deploy/plan-deployment.js';
import { parseSpec } from '../deploy/services-service.js';

/**
 * The inputs an instance gets from its service spec on a bundle (UpdateServiceInstance's rules),
 * and the warnings about inputs the schema does not declare (ADR 0016).
 */
export function instanceInputs(
  bundle: Awaited<ReturnType<DeployDeps['bundles']['load']>>,
  r: ResourceRecord,
  specText: string,
): { inputs: Record<string, unknown>; warnings: string[] } {
  const entry = parseSpec(specText).instances.find((i) => i.name === r.name);
  if (!entry)
    throw new ValidationError(
      `spec: the spec of service ${r.serviceName} has no entry for instance ${r.name} under "instances".`,
    );
  const { values, missing } = substituteCurrentValues(
    entry.spec,
    (r.settings.inputs as Record<string, unknown>) ?? {},
  );
  if (missing.length)
    throw new ValidationError(
      `spec: \${Proton::CURRENT_VAL} used for ${missing.join(', ')}, which have no current value.`,
    );
  return checkInputs(bundle, 'service', values, 'spec');
}

/**
 * The deployment that moves a service instance to a version, through the same planning as
 * UpdateServiceInstance: its spec entry validated against the version's schema (or, for a
 * rollback, the exact settings it had before), the environment's compatibility checked, the
 * engine chosen from the bundle and the environment.
 */
export async function planInstanceDeployment(
  d: DeployDeps,
  r: ResourceRecord,
  to: {
    major: number;
    minor: number;
    /** Rollback: the spec and settings the instance had; otherwise its spec is validated anew. */
    restore?: { spec: string | null; settings: Record<string, unknown> };
  },
): Promise<StartDeployment> {
  const bundle = await d.bundles.load('SERVICE', r.templateName, to.major, to.minor);
  const spec = to.restore ? to.restore.spec : r.spec;
  const checked = to.restore ? undefined : instanceInputs(bundle, r, r.spec ?? '');
  const settings = checked
    ? withInputWarnings({ ...r.settings, inputs: checked.inputs }, checked.warnings)
    : to.restore!.settings;
  const env = await d.store.getResource({
    kind: 'ENVIRONMENT',
    serviceName: '',
    name: r.environmentName ?? '',
  });
  if (!to.restore) {
    const tv = await d.catalog.getVersion('SERVICE', r.templateName, to.major, to.minor);
    if (
      env &&
      !(tv?.compatibleEnvironmentTemplates ?? []).some(
        (c) => c.templateName === env.templateName && Number(c.majorVersion) === env.templateMajor,
      )
    )
      throw new ValidationError(
        `${r.templateName}:${to.major}.${to.minor} is not compatible with the environment ${env.name} (${env.templateName} major ${env.templateMajor}).`,
      );
  }
  return planDeployment({
    arnScope: d.arnScope,
    now: d.clock.now(),
    current: r,
    next: { ...r, templateMajor: to.major, templateMinor: to.minor, spec, settings },
    operation: 'DEPLOY',
    engine: engineOf(bundle.instance, env?.settings ?? {}, d.terraformCli),
  });
}
