import { NotFoundError, ValidationError, coerceError } from '@nucleon/core';
import type {
  DiscoverProtonResourcesInput,
  DiscoverProtonResourcesOutput,
  NucleonImportInventoryItem,
  ProtonImportRequest,
} from '@nucleon/protocol';
import type { CatalogStore } from '../../ports/catalog-store.js';
import type {
  DiscoveredFolder,
  DiscoveredStack,
  ProtonEstate,
  ProvisioningRepository,
} from '../../ports/proton-estate.js';
import type { RepositoryStore } from '../../ports/repository-store.js';
import {
  inputTypesOfSchema,
  templateKey,
  type TemplateInputTypes,
} from './proton-input-inference.js';
import { starterFolderSpecs, starterSpecs, type ImportSpecFile } from './proton-starter-specs.js';

export interface ProtonDiscoveryDeps {
  estate: ProtonEstate;
  catalog: CatalogStore;
  repositories: RepositoryStore;
  /** Nucleon's own region: discovery reads it when no region is given. */
  region: string;
}

const ORDER = ['ENVIRONMENT', 'SERVICE', 'COMPONENT'];

/**
 * `DiscoverProtonResources` (ADR 0030): discovery on the server, for the console's import
 * wizard. It reads the stacks (and a linked provisioning repository) with the server's own AWS
 * credentials and answers the inventory and one starter request per resource — what the CLI
 * writes as spec files — with each stack's template and outputs (each folder's files) as
 * MatchProtonResource and AdoptProtonResource take them. Read-only.
 */
export class ProtonDiscoveryService {
  constructor(private readonly d: ProtonDiscoveryDeps) {}

  async discover(input: DiscoverProtonResourcesInput): Promise<DiscoverProtonResourcesOutput> {
    const repository = input.provisioningRepository
      ? await this.repository(input.provisioningRepository)
      : undefined;
    let found: { stacks: DiscoveredStack[]; folders: DiscoveredFolder[] };
    try {
      found = await this.d.estate.discover({
        regions: input.regions?.length ? input.regions : [this.d.region],
        roleArns: input.roleArns ?? [],
        ...(repository ? { repository } : {}),
      });
    } catch (error) {
      throw new ValidationError(
        `Discovery could not read what Proton left behind: ${coerceError(error).message}. Nucleon reads AWS with its own credentials (its AWS_PROFILE or role, AWS_ENDPOINT_URL_CLOUDFORMATION); check they may call cloudformation:DescribeStacks and GetTemplate there (and sts:AssumeRole for each role), or run \`nucleon import proton discover\` with yours.`,
      );
    }
    const { stacks, folders } = found;
    const notes: string[] = [];
    const types = await this.inputTypes([...stacks, ...folders], notes);
    const files = [
      ...starterSpecs(stacks, types),
      ...(repository ? starterFolderSpecs(folders, repository, types) : []),
    ].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    return {
      inventory: [...stacks.map(stackItem), ...folders.map(folderItem)],
      resources: files.map((f) => ({
        request: requestOf(f, stacks, folders),
        ...(f.inferredInputs?.length ? { inferredInputs: f.inferredInputs } : {}),
      })),
      notes,
    };
  }

  private async repository(r: {
    provider: string;
    name: string;
    branch: string;
  }): Promise<ProvisioningRepository> {
    const linked = await this.d.repositories.get(r.provider, r.name);
    if (!linked)
      throw new NotFoundError(
        `The repository ${r.provider}:${r.name} is not linked in Nucleon. Link the provisioning repository Proton committed to first (nucleon repos link).`,
      );
    if (!linked.remoteUrl)
      throw new ValidationError(
        `The repository ${r.provider}:${r.name} has no git remote in Nucleon. Give it one (nucleon repos link … <remote>), or discover with the CLI (--repository-url).`,
      );
    if (linked.token)
      throw new ValidationError(
        `The repository ${r.provider}:${r.name} is reached with a token; the console's discovery reads only remotes that need none. Discover it with the CLI (--repository-url).`,
      );
    return { provider: r.provider, name: r.name, branch: r.branch, url: linked.remoteUrl };
  }

  /** The input types of each registered template the resources came from (notes: the others). */
  private async inputTypes(
    found: ReadonlyArray<DiscoveredStack | DiscoveredFolder>,
    notes: string[],
  ): Promise<Map<string, TemplateInputTypes>> {
    const types = new Map<string, TemplateInputTypes>();
    for (const s of found) {
      if (!s.templateName || !s.templateKind || types.has(templateKey(s))) continue;
      const major = Number(s.templateMajorVersion ?? '1');
      const versions = (await this.d.catalog.listVersions(s.templateKind, s.templateName)).filter(
        (v) => v.major === major && (v.status === 'PUBLISHED' || v.status === 'DRAFT'),
      );
      const v = s.templateMinorVersion
        ? versions.find((x) => x.minor === Number(s.templateMinorVersion))
        : versions.filter((x) => x.status === 'PUBLISHED').sort((a, b) => b.minor - a.minor)[0];
      if (v?.schemaText) types.set(templateKey(s), inputTypesOfSchema(v.schemaText));
      else
        notes.push(
          `inputs of ${s.templateName} not inferred: register ${s.templateName}:${major}${s.templateMinorVersion ? `.${s.templateMinorVersion}` : ''} first`,
        );
    }
    return types;
  }
}

function stackItem(s: DiscoveredStack): NucleonImportInventoryItem {
  return {
    kind: s.kind,
    name: s.name,
    ...(s.serviceName ? { serviceName: s.serviceName } : {}),
    ...(s.environmentName ? { environmentName: s.environmentName } : {}),
    ...templateOf(s),
    stackName: s.stackName,
    account: s.account,
    region: s.region,
    status: s.status,
  };
}

function folderItem(f: DiscoveredFolder): NucleonImportInventoryItem {
  return {
    kind: f.kind,
    name: f.name,
    ...(f.serviceName ? { serviceName: f.serviceName } : {}),
    ...(f.environmentName ? { environmentName: f.environmentName } : {}),
    ...templateOf(f),
    folder: f.folder,
    status: 'SELF_MANAGED',
  };
}

const templateOf = (s: DiscoveredStack | DiscoveredFolder) => ({
  ...(s.templateName ? { templateName: s.templateName } : {}),
  ...(s.templateMajorVersion ? { templateMajorVersion: s.templateMajorVersion } : {}),
  ...(s.templateMinorVersion ? { templateMinorVersion: s.templateMinorVersion } : {}),
});

/** A starter spec file as the request MatchProtonResource takes, with what discovery read. */
function requestOf(
  f: ImportSpecFile,
  stacks: readonly DiscoveredStack[],
  folders: readonly DiscoveredFolder[],
): ProtonImportRequest {
  const text = (v: string | undefined) => (v ? v : undefined);
  const fields = {
    templateName: text(f.templateName),
    templateMajorVersion: text(f.templateMajorVersion),
    templateMinorVersion: text(f.templateMinorVersion),
    spec: text(f.spec),
    protonServiceRoleArn: text(f.protonServiceRoleArn),
    componentRoleArn: text(f.componentRoleArn),
    repositoryConnectionArn: text(f.repositoryConnectionArn),
    repositoryId: text(f.repositoryId),
    branchName: text(f.branchName),
    environmentName: text(f.environmentName),
    serviceName: text(f.serviceName),
    serviceInstanceName: text(f.serviceInstanceName),
    manifest: text(f.manifest),
    templateFile: text(f.templateFile),
  };
  return {
    kind: f.kind,
    name: f.name,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    // An environment's repository; a service's says where its pipeline folder was committed.
    ...(f.kind !== 'COMPONENT' && f.provisioningRepository
      ? { provisioningRepository: f.provisioningRepository }
      : {}),
    stacks: f.stacks.map((ref) => {
      const s = stacks.find((x) => x.stackId === ref.stackId)!;
      return {
        target: ref.target,
        stackName: s.stackName,
        stackId: s.stackId,
        template: s.template ?? '',
        outputs: s.outputs,
      };
    }),
    ...(f.folders?.length
      ? {
          folders: f.folders.map((ref) => ({
            target: ref.target,
            folder: ref.folder,
            files: folders.find((x) => x.folder === ref.folder)?.files ?? [],
            outputs: Object.entries(ref.outputs ?? {}).map(([key, value]) => ({ key, value })),
          })),
        }
      : {}),
  };
}
