import type { ResourceRecord, StartDeployment } from '../../ports/deployment-store.js';
import type { DeployDeps } from './deploy-context.js';
import { engineOf } from './engine-of.js';
import { planDeployment } from './plan-deployment.js';

/**
 * Plans the deletion of an environment, service instance or pipeline with the engine that
 * provisioned it (the pipeline by its bundle's engine; the others as their environment dictates).
 */
export async function planDelete(
  d: DeployDeps,
  r: ResourceRecord,
  now: Date,
): Promise<StartDeployment> {
  const bundle = await d.bundles.load(
    r.kind === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE',
    r.templateName,
    r.templateMajor,
    r.templateMinor,
  );
  let engine: string;
  if (r.kind === 'SERVICE_PIPELINE') engine = bundle.pipeline?.engine ?? 'none';
  else if (r.kind === 'ENVIRONMENT')
    engine = engineOf(bundle.environment, r.settings, d.terraformCli);
  else {
    const env = r.environmentName
      ? await d.store.getResource({ kind: 'ENVIRONMENT', serviceName: '', name: r.environmentName })
      : undefined;
    engine = engineOf(bundle.instance, env?.settings ?? {}, d.terraformCli);
  }
  return planDeployment({
    arnScope: d.arnScope,
    now,
    current: r,
    next: r,
    operation: 'DELETE',
    engine,
  });
}
