import type { ProvisionRequest, Provisioner } from '../../ports/provisioner.js';
import type { GitPublisher, RepositoryStore } from '../../ports/repository-store.js';
import type { EngineResult } from '../../ports/stack-engine.js';

const failed = (message: string): EngineResult => ({
  outcome: 'FAILED',
  message,
  outputs: {},
  provisionedResources: [],
});

/**
 * Proton's self-managed provisioning: the rendered Terraform and the generated files are
 * committed to the environment's provisioning repository; the user's automation applies them and
 * ends the deployment with NotifyResourceDeploymentStatusChange (its deploymentId is in
 * `.proton/deployment-metadata.json`). Nucleon commits to the branch directly instead of opening a
 * pull request (no forge API is assumed); protect the branch and point it at a PR flow if wanted.
 */
export class TerraformRepositoryProvisioner implements Provisioner {
  constructor(
    private readonly repositories: RepositoryStore,
    private readonly git: GitPublisher,
  ) {}

  async run(request: ProvisionRequest): Promise<EngineResult> {
    const target = request.repository;
    if (!target)
      return failed(
        /:service\/[^/]+\/pipeline$/.test(request.resourceArn)
          ? 'This pipeline provisions with Terraform (self-managed), but the account settings have no pipelineProvisioningRepository. Set one with UpdateAccountSettings (as in Proton).'
          : 'This resource provisions with Terraform (self-managed), but its environment has no provisioningRepository.',
      );
    const repo = await this.repositories.get(target.provider, target.name);
    if (!repo)
      return failed(
        `The provisioning repository ${target.provider}:${target.name} is not linked. Link it with CreateRepository, then set its git remote (nucleon repos link).`,
      );
    if (!repo.remoteUrl)
      return failed(
        `The repository ${target.provider}:${target.name} has no git remote. Set one with \`nucleon repos link ${target.provider} ${target.name} <url>\`.`,
      );
    const verb = request.operation === 'DELETE' ? 'delete' : 'deploy';
    try {
      const { commit, folder } = await this.git.publish({
        remoteUrl: repo.remoteUrl,
        token: repo.token,
        branch: target.branch,
        folder: target.folder,
        files: request.files,
        message: `Nucleon: ${verb} ${request.resourceArn}\n\ndeploymentId: ${request.deploymentId}`,
        signal: request.signal,
      });
      request.log(
        'engine',
        `committed ${commit.slice(0, 12)} to ${target.name}@${target.branch} in ${folder}/`,
      );
      return {
        outcome: 'SUCCEEDED',
        message: `committed ${commit.slice(0, 12)} to ${target.name}@${target.branch} in ${folder}/`,
        outputs: {},
        provisionedResources: [],
        awaitingNotification: true,
      };
    } catch (error) {
      if (request.signal.aborted)
        return {
          outcome: 'CANCELLED',
          message: 'User initiated cancellation.',
          outputs: {},
          provisionedResources: [],
        };
      return failed((error as Error).message);
    }
  }
}
