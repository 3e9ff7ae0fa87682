import type {
  DiscoveredFolder,
  DiscoveredStack,
  EstateScope,
  ProtonEstate,
} from '../../ports/proton-estate.js';
import { AwsScopes, scopesOf } from './aws-scopes.js';
import {
  cloneRepository,
  discoverFolders,
  readFolderFiles,
} from './proton-repository-discovery.js';
import { discoverStacks, sortStacks, stackTemplate } from './proton-stack-discovery.js';

/**
 * Reads what Proton left behind with the server's own AWS credentials, through the SDK's chain
 * (`AWS_PROFILE`, `AWS_ENDPOINT_URL_CLOUDFORMATION`, roles assumed through STS), and a throwaway
 * clone of the provisioning repository. Only read calls: `DescribeStacks`, `GetTemplate`,
 * `AssumeRole`, `git clone`.
 */
export class AwsProtonEstate implements ProtonEstate {
  async discover(
    scope: EstateScope,
  ): Promise<{ stacks: DiscoveredStack[]; folders: DiscoveredFolder[] }> {
    const scopes = new AwsScopes();
    try {
      const found: DiscoveredStack[] = [];
      for (const s of scopesOf(scope.regions, scope.roleArns))
        found.push(...(await discoverStacks(await scopes.cloudFormation(s), s.roleArn)));
      const stacks = sortStacks(found);
      // Match compares with each stack's current template: read it now, as the CLI does.
      for (const s of stacks)
        s.template ??= await stackTemplate(
          await scopes.cloudFormation({ region: s.region, roleArn: s.discoveryRoleArn }),
          s.stackId,
        );
      return { stacks, folders: scope.repository ? await this.folders(scope.repository) : [] };
    } finally {
      scopes.destroy();
    }
  }

  private async folders(repo: NonNullable<EstateScope['repository']>): Promise<DiscoveredFolder[]> {
    const checkout = await cloneRepository(repo);
    try {
      const folders = await discoverFolders(checkout.dir);
      for (const f of folders) f.files = await readFolderFiles(checkout.dir, f.folder);
      return folders;
    } finally {
      await checkout.remove();
    }
  }
}
