import { ValidationError } from '@nucleon/core';
import type { InfrastructureFolder } from '../../ports/version-bundles.js';

/**
 * Which engine deploys a resource: none for customer-managed environments, otherwise the
 * bundle's engine. Terraform goes to the environment's provisioning repository (Proton's
 * self-managed mode) or, without one, runs directly when the runner has terraform/tofu.
 */
export function engineOf(
  folder: InfrastructureFolder | undefined,
  settings: Record<string, unknown>,
  terraformCli = false,
): string {
  if (settings.provisioning === 'CUSTOMER_MANAGED' || !folder) return 'none';
  if (folder.engine === 'terraform' && !settings.provisioningRepository) {
    if (terraformCli) return 'terraform-cli';
    throw new ValidationError(
      'This template provisions with Terraform: give provisioningRepository {provider, name, branch} of a linked repository (self-managed, as in Proton), or install terraform or tofu on the Nucleon runner to have it applied directly.',
    );
  }
  return folder.engine;
}
