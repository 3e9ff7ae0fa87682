import { ValidationError } from '@nucleon/core';
import type { InfrastructureFolder } from '../../ports/version-bundles.js';

/**
 * Which engine deploys a resource: none for customer-managed environments, otherwise the
 * bundle's engine (Terraform needs a provisioning repository, Proton's self-managed mode).
 */
export function engineOf(folder: InfrastructureFolder | undefined, settings: Record<string, unknown>): string {
  if (settings.provisioning === 'CUSTOMER_MANAGED' || !folder) return 'none';
  if (folder.engine === 'terraform' && !settings.provisioningRepository) {
    throw new ValidationError('This template provisions with Terraform, which Nucleon runs self-managed: give provisioningRepository {provider, name, branch} of a linked repository.');
  }
  return folder.engine;
}
