import { isActive } from '@nucleon/core';
import type { ClaimedJob } from '../../ports/job-queue.js';
import type { ServiceSettlement, StartDeployment } from '../../ports/deployment-store.js';
import type { DeployDeps } from './deploy-context.js';
import { planDelete } from './plan-delete.js';
import { planDeployment } from './plan-deployment.js';

const FAILED = new Set(['FAILED', 'DELETE_FAILED', 'CANCELLED']);
/** How often a decision is re-made when the service changed between reading and applying it. */
const ATTEMPTS = 5;

/**
 * Decides the service's next status from a snapshot of it and its resources: CREATE_IN_PROGRESS →
 * ACTIVE, or (on a failure) a cleanup that deletes what was provisioned →
 * CREATE_FAILED_CLEANUP_COMPLETE / _FAILED; UPDATE_IN_PROGRESS → ACTIVE, UPDATE_FAILED, or
 * UPDATE_COMPLETE_CLEANUP_FAILED when only the removal of dropped instances failed;
 * DELETE_IN_PROGRESS → gone, or DELETE_FAILED. After UpdateService added or removed instances, the
 * pipeline is re-rendered over the new set first. Undefined: nothing to do yet.
 */
async function decide(d: DeployDeps, serviceName: string): Promise<ServiceSettlement | undefined> {
  const svc = await d.store.getService(serviceName);
  if (!svc) return undefined;
  const resources = (await d.store.listResources({ serviceName })).filter(
    (r) => r.kind === 'SERVICE_INSTANCE' || r.kind === 'SERVICE_PIPELINE',
  );
  const expected = { status: svc.status, resources };
  if (svc.status === 'DELETE_IN_PROGRESS' && resources.length === 0)
    return { expected, deleteService: true };
  if (resources.some((r) => isActive(r.deploymentStatus))) return undefined;
  const now = d.clock.now();
  const pipeline = resources.find((r) => r.kind === 'SERVICE_PIPELINE');
  if (svc.pendingPipeline && pipeline && svc.status === 'UPDATE_IN_PROGRESS') {
    const bundle = await d.bundles.load(
      'SERVICE',
      pipeline.templateName,
      pipeline.templateMajor,
      pipeline.templateMinor,
    );
    const start = planDeployment({
      arnScope: d.arnScope,
      now,
      current: pipeline,
      next: pipeline,
      operation: 'DEPLOY',
      engine: bundle.pipeline?.engine ?? 'none',
    });
    return { expected, patch: { pendingPipeline: false }, starts: [start] };
  }
  const failed = resources.filter((r) => FAILED.has(r.deploymentStatus));
  const why = failed
    .map(
      (r) =>
        `${r.kind === 'SERVICE_PIPELINE' ? 'pipeline' : `instance ${r.name}`}: ${r.deploymentStatus}${r.deploymentStatusMessage ? ` (${r.deploymentStatusMessage})` : ''}`,
    )
    .join('; ');
  const to = (status: string, message: string | null): ServiceSettlement => ({
    expected,
    patch: {
      status,
      statusMessage: message?.slice(0, 5000) ?? null,
      lastModifiedAt: now,
      pendingPipeline: false,
    },
  });
  switch (svc.status) {
    case 'CREATE_IN_PROGRESS': {
      if (!failed.length) return to('ACTIVE', null);
      // Proton cleans up a service whose creation failed: everything it provisioned is deleted.
      const starts: StartDeployment[] = [];
      for (const r of resources) starts.push(await planDelete(d, r, now));
      return { ...to('CREATE_FAILED_CLEANUP_IN_PROGRESS', why), starts };
    }
    case 'CREATE_FAILED_CLEANUP_IN_PROGRESS':
      return resources.length
        ? to('CREATE_FAILED_CLEANUP_FAILED', `${svc.statusMessage ?? ''}; cleanup failed: ${why}`)
        : to('CREATE_FAILED_CLEANUP_COMPLETE', svc.statusMessage);
    case 'UPDATE_IN_PROGRESS': {
      const deploys = failed.filter((r) => r.deploymentStatus !== 'DELETE_FAILED');
      if (deploys.length) return to('UPDATE_FAILED', why);
      // The update itself succeeded; only removing instances it dropped failed.
      return to(
        failed.length ? 'UPDATE_COMPLETE_CLEANUP_FAILED' : 'ACTIVE',
        failed.length ? why : null,
      );
    }
    case 'DELETE_IN_PROGRESS':
      return to('DELETE_FAILED', why || null);
  }
  // Settled statuses: instance-level updates leave the service's status alone, as in Proton.
  return undefined;
}

/**
 * Moves a service through Proton's status machine once the deployments a service-level
 * operation started have all ended. Idempotent and race-free: the decision is applied in one
 * transaction that locks the service row and checks that neither the service nor its resources
 * changed since it was made (if they did, it is made again).
 */
export async function reconcileService(d: DeployDeps, serviceName: string): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const settlement = await decide(d, serviceName);
    if (!settlement) return;
    if (await d.store.settleService(serviceName, settlement)) {
      if (settlement.starts?.length) d.poke();
      return;
    }
  }
  throw new Error(
    `the service ${serviceName} kept changing while its status was being recomputed; the job will try again`,
  );
}

/** The worker's handler of RECONCILE_SERVICE_QUEUE jobs, enqueued when a deployment ends. */
export function reconcileServiceJob(d: DeployDeps): (job: ClaimedJob) => Promise<void> {
  return (job) => reconcileService(d, String(job.payload.serviceName));
}
