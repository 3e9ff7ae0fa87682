import { ConflictError, provisioningFolder } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { DeployDeps } from './deploy-context.js';

type Placed = Pick<ResourceRecord, 'kind' | 'serviceName' | 'name' | 'environmentName' | 'arn'>;

/** A resource as people name it in messages. */
export function describeResource(
  r: Pick<ResourceRecord, 'kind' | 'serviceName' | 'name' | 'arn'>,
): string {
  const what =
    r.kind === 'ENVIRONMENT'
      ? `the environment ${r.name}`
      : r.kind === 'SERVICE_INSTANCE'
        ? `the service instance ${r.name} of service ${r.serviceName}`
        : r.kind === 'SERVICE_PIPELINE'
          ? `the pipeline of service ${r.serviceName}`
          : `the component ${r.name}`;
  return `${what} (${r.arn})`;
}

/**
 * The folder a resource takes in its environment's self-managed provisioning repository, exactly as
 * Proton names it, or null when the environment has none. Refuses (ConflictException naming the
 * owner) a folder another resource holds; the unique index on resources.provisioning_folder makes
 * the reservation atomic when two requests race (ADR 0010).
 */
export async function reserveProvisioningFolder(
  d: DeployDeps,
  env: ResourceRecord,
  r: Placed,
): Promise<string | null> {
  const repo = env.settings.provisioningRepository as
    { provider?: unknown; name?: unknown } | null | undefined;
  if (typeof repo?.provider !== 'string' || typeof repo.name !== 'string') return null;
  const folder = provisioningFolder(r);
  const owner = await d.store.getResourceByProvisioningFolder(folder);
  if (owner && owner.arn !== r.arn) {
    throw new ConflictError(
      `The folder ${folder}/ of the provisioning repository ${repo.provider}:${repo.name} belongs to ${describeResource(owner)}. Proton's self-managed layout gives ${describeResource(r)} the same folder; choose another name.`,
    );
  }
  return folder;
}
