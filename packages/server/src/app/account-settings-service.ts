import { ValidationError } from '@nucleon/core';
import type { SettingsStore } from '../ports/settings-store.js';
import type { RepositoryStore } from '../ports/repository-store.js';

interface AccountSettings {
  pipelineServiceRoleArn?: string;
  pipelineCodebuildRoleArn?: string;
  pipelineProvisioningRepository?: { provider: string; name: string; branch: string; arn?: string };
}

const KEY = 'account_settings';

/** GetAccountSettings / UpdateAccountSettings: the account-level pipeline role and repository. */
export class AccountSettingsService {
  constructor(
    private readonly settings: SettingsStore,
    private readonly repositories: RepositoryStore,
  ) {}

  async get() {
    return {
      accountSettings: ((await this.settings.get(KEY)) as AccountSettings | undefined) ?? {},
    };
  }

  async update(input: {
    pipelineServiceRoleArn?: string;
    pipelineCodebuildRoleArn?: string;
    pipelineProvisioningRepository?: { provider: string; name: string; branch: string };
    deletePipelineProvisioningRepository?: boolean;
  }) {
    if (input.pipelineProvisioningRepository && input.deletePipelineProvisioningRepository) {
      throw new ValidationError(
        'Give pipelineProvisioningRepository or deletePipelineProvisioningRepository, not both.',
      );
    }
    const current = (await this.get()).accountSettings;
    const next: AccountSettings = { ...current };
    // An empty string unsets a role, as in Proton.
    for (const k of ['pipelineServiceRoleArn', 'pipelineCodebuildRoleArn'] as const) {
      if (input[k] === '') delete next[k];
      else if (input[k] !== undefined) next[k] = input[k];
    }
    if (input.deletePipelineProvisioningRepository) delete next.pipelineProvisioningRepository;
    if (input.pipelineProvisioningRepository) {
      const { provider, name, branch } = input.pipelineProvisioningRepository;
      const repo = await this.repositories.get(provider, name);
      if (!repo)
        throw new ValidationError(
          `The repository ${provider}:${name} is not linked. Link it with CreateRepository first.`,
        );
      next.pipelineProvisioningRepository = { provider, name, branch, arn: repo.arn };
    }
    await this.settings.put(KEY, next);
    return { accountSettings: next };
  }
}
