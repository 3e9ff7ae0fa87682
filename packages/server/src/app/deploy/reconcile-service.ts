import { isActive } from '@nucleon/core';
import type { DeployDeps } from './deploy-context.js';
import { planDeployment } from './plan-deployment.js';

const FAILED = new Set(['FAILED', 'DELETE_FAILED', 'CANCELLED']);

/**
 * Moves a service through Proton's status machine once the deployments a service-level
 * operation started have all ended: CREATE/UPDATE_IN_PROGRESS → ACTIVE or *_FAILED;
 * DELETE_IN_PROGRESS → gone, or DELETE_FAILED. After UpdateService added or removed instances,
 * the pipeline is re-rendered over the new set first. Instance-level updates leave it alone.
 */
export async function reconcileService(d: DeployDeps, serviceName: string): Promise<void> {
  const svc = await d.store.getService(serviceName);
  if (!svc) return;
  const resources = await d.store.listResources({ serviceName });
  if (svc.status === 'DELETE_IN_PROGRESS' && resources.length === 0) {
    await d.store.deleteService(serviceName);
    return;
  }
  if (resources.some((r) => isActive(r.deploymentStatus))) return;
  const now = d.clock.now();
  const pipeline = resources.find((r) => r.kind === 'SERVICE_PIPELINE');
  if (svc.pendingPipeline && pipeline && svc.status === 'UPDATE_IN_PROGRESS') {
    const bundle = await d.bundles.load('SERVICE', pipeline.templateName, pipeline.templateMajor, pipeline.templateMinor);
    const start = planDeployment({ arnScope: d.arnScope, now, current: pipeline, next: pipeline, operation: 'DEPLOY', engine: bundle.pipeline?.engine ?? 'none' });
    if (await d.store.startDeployments([start], { name: serviceName, pendingPipeline: false })) d.poke();
    return;
  }
  const failed = resources.filter((r) => FAILED.has(r.deploymentStatus));
  const why = failed.map((r) => `${r.kind === 'SERVICE_PIPELINE' ? 'pipeline' : `instance ${r.name}`}: ${r.deploymentStatus}${r.deploymentStatusMessage ? ` (${r.deploymentStatusMessage})` : ''}`).join('; ');
  const next: Record<string, string> = {
    CREATE_IN_PROGRESS: failed.length ? 'CREATE_FAILED' : 'ACTIVE',
    UPDATE_IN_PROGRESS: failed.length ? 'UPDATE_FAILED' : 'ACTIVE',
    DELETE_IN_PROGRESS: 'DELETE_FAILED',
  };
  const status = next[svc.status];
  if (!status) return;
  await d.store.updateService(serviceName, { status, statusMessage: failed.length ? why.slice(0, 5000) : null, lastModifiedAt: now, pendingPipeline: false });
}
