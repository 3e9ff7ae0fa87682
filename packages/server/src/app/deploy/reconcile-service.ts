import { isActive } from '@nucleon/core';
import type { DeployDeps } from './deploy-context.js';
import { planDelete } from './plan-delete.js';
import { planDeployment } from './plan-deployment.js';

const FAILED = new Set(['FAILED', 'DELETE_FAILED', 'CANCELLED']);

/**
 * Moves a service through Proton's status machine once the deployments a service-level
 * operation started have all ended: CREATE_IN_PROGRESS → ACTIVE, or (on a failure) a cleanup
 * that deletes what was provisioned → CREATE_FAILED_CLEANUP_COMPLETE / _FAILED;
 * UPDATE_IN_PROGRESS → ACTIVE, UPDATE_FAILED, or UPDATE_COMPLETE_CLEANUP_FAILED when only the
 * removal of dropped instances failed; DELETE_IN_PROGRESS → gone, or DELETE_FAILED. After UpdateService added or removed instances,
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
  const update = (status: string, message: string | null) =>
    d.store.updateService(serviceName, { status, statusMessage: message?.slice(0, 5000) ?? null, lastModifiedAt: now, pendingPipeline: false });
  switch (svc.status) {
    case 'CREATE_IN_PROGRESS': {
      if (!failed.length) return update('ACTIVE', null);
      // Proton cleans up a service whose creation failed: everything it provisioned is deleted.
      const starts = [];
      for (const r of resources) starts.push(await planDelete(d, r, now));
      if (await d.store.startDeployments(starts, { name: serviceName, status: 'CREATE_FAILED_CLEANUP_IN_PROGRESS', statusMessage: why.slice(0, 5000), lastModifiedAt: now })) d.poke();
      return;
    }
    case 'CREATE_FAILED_CLEANUP_IN_PROGRESS':
      return resources.length
        ? update('CREATE_FAILED_CLEANUP_FAILED', `${svc.statusMessage ?? ''}; cleanup failed: ${why}`)
        : update('CREATE_FAILED_CLEANUP_COMPLETE', svc.statusMessage);
    case 'UPDATE_IN_PROGRESS': {
      const deploys = failed.filter((r) => r.deploymentStatus !== 'DELETE_FAILED');
      if (deploys.length) return update('UPDATE_FAILED', why);
      // The update itself succeeded; only removing instances it dropped failed.
      return update(failed.length ? 'UPDATE_COMPLETE_CLEANUP_FAILED' : 'ACTIVE', failed.length ? why : null);
    }
    case 'DELETE_IN_PROGRESS':
      return update('DELETE_FAILED', why || null);
  }
}
