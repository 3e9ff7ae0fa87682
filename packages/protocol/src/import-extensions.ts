import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Importing what AWS Proton left behind (Nucleon20261127.MatchProtonResource and
 * AdoptProtonResource, ADR 0021): the CLI discovers the stacks and sends each resource's stacks
 * (name, id, current template, outputs); the server renders the registered template version
 * with the resource's spec, compares, and on adoption creates the records bound to those stacks.
 */
export const importShapes: Readonly<Record<string, ModelShape>> = {
  NucleonImportKind: { type: 'string', enum: ['ENVIRONMENT', 'SERVICE', 'COMPONENT'] },
  NucleonImportMatch: { type: 'string', enum: ['EXACT', 'DIFFERENT'] },
  NucleonStackOutput: {
    type: 'structure',
    required: ['key', 'value'],
    members: { key: { shape: 'NucleonString' }, value: { shape: 'NucleonString' } },
  },
  NucleonStackOutputList: { type: 'list', member: 'NucleonStackOutput' },
  NucleonImportStack: {
    type: 'structure',
    required: ['target', 'stackName', 'stackId', 'template'],
    members: {
      /** `environment`, `instance/<name>`, `pipeline` or `component`. */
      target: { shape: 'NucleonString' },
      stackName: { shape: 'NucleonString' },
      stackId: { shape: 'NucleonString' },
      template: { shape: 'NucleonLongText' },
      outputs: { shape: 'NucleonStackOutputList' },
    },
  },
  NucleonImportStackList: { type: 'list', member: 'NucleonImportStack' },
  NucleonImportFile: {
    type: 'structure',
    required: ['path', 'content'],
    members: { path: { shape: 'NucleonString' }, content: { shape: 'NucleonLongText' } },
  },
  NucleonImportFileList: { type: 'list', member: 'NucleonImportFile' },
  NucleonImportFolder: {
    type: 'structure',
    required: ['target', 'folder', 'files'],
    members: {
      /** `environment` or `instance/<name>`. */
      target: { shape: 'NucleonString' },
      /** The folder in the provisioning repository, e.g. `prod` or `prod/api-one`. */
      folder: { shape: 'NucleonString' },
      /** Its files as Proton left them (`.tf`, `proton.auto.tfvars.json`, `.proton/…`). */
      files: { shape: 'NucleonImportFileList' },
      /** The outputs the user's automation reported last (Terraform state is the user's). */
      outputs: { shape: 'NucleonStackOutputList' },
    },
  },
  NucleonImportFolderList: { type: 'list', member: 'NucleonImportFolder' },
  NucleonImportResult: {
    type: 'structure',
    required: ['target', 'stackName', 'match', 'adopted'],
    members: {
      target: { shape: 'NucleonString' },
      /** The stack; '' for a self-managed Terraform resource (see `folder`). */
      stackName: { shape: 'NucleonString' },
      folder: { shape: 'NucleonString' },
      match: { shape: 'NucleonImportMatch' },
      diff: { shape: 'NucleonLongText' },
      adopted: { shape: 'NucleonBoolean' },
      message: { shape: 'NucleonLongText' },
    },
  },
  NucleonImportResultList: { type: 'list', member: 'NucleonImportResult' },
  MatchProtonResourceInput: {
    type: 'structure',
    required: ['kind', 'name', 'stacks'],
    members: {
      kind: { shape: 'NucleonImportKind' },
      name: { shape: 'ResourceName' },
      templateName: { shape: 'ResourceName' },
      templateMajorVersion: { shape: 'TemplateVersionPart' },
      templateMinorVersion: { shape: 'TemplateVersionPart' },
      spec: { shape: 'SpecContents' },
      stacks: { shape: 'NucleonImportStackList' },
      folders: { shape: 'NucleonImportFolderList' },
      provisioningRepository: { shape: 'RepositoryBranchInput' },
      protonServiceRoleArn: { shape: 'Arn' },
      componentRoleArn: { shape: 'RoleArn' },
      repositoryConnectionArn: { shape: 'Arn' },
      repositoryId: { shape: 'RepositoryId' },
      branchName: { shape: 'GitBranchName' },
      environmentName: { shape: 'ResourceName' },
      serviceName: { shape: 'ResourceName' },
      serviceInstanceName: { shape: 'ResourceName' },
      manifest: { shape: 'TemplateManifestContents' },
      templateFile: { shape: 'TemplateFileContents' },
    },
  },
  MatchProtonResourceOutput: {
    type: 'structure',
    required: ['results'],
    members: { results: { shape: 'NucleonImportResultList' } },
  },
  AdoptProtonResourceInput: {
    type: 'structure',
    required: ['kind', 'name', 'stacks'],
    members: {
      kind: { shape: 'NucleonImportKind' },
      name: { shape: 'ResourceName' },
      templateName: { shape: 'ResourceName' },
      templateMajorVersion: { shape: 'TemplateVersionPart' },
      templateMinorVersion: { shape: 'TemplateVersionPart' },
      spec: { shape: 'SpecContents' },
      stacks: { shape: 'NucleonImportStackList' },
      folders: { shape: 'NucleonImportFolderList' },
      provisioningRepository: { shape: 'RepositoryBranchInput' },
      protonServiceRoleArn: { shape: 'Arn' },
      componentRoleArn: { shape: 'RoleArn' },
      repositoryConnectionArn: { shape: 'Arn' },
      repositoryId: { shape: 'RepositoryId' },
      branchName: { shape: 'GitBranchName' },
      environmentName: { shape: 'ResourceName' },
      serviceName: { shape: 'ResourceName' },
      serviceInstanceName: { shape: 'ResourceName' },
      manifest: { shape: 'TemplateManifestContents' },
      templateFile: { shape: 'TemplateFileContents' },
      acceptDifferences: { shape: 'NucleonBoolean' },
    },
  },
  AdoptProtonResourceOutput: {
    type: 'structure',
    required: ['results', 'adopted'],
    members: {
      results: { shape: 'NucleonImportResultList' },
      /** True when the records exist bound to the stacks (now or from an earlier run). */
      adopted: { shape: 'NucleonBoolean' },
    },
  },
  NucleonImportTextList: { type: 'list', member: 'NucleonLongText' },
  NucleonImportInventoryItem: {
    type: 'structure',
    required: ['kind', 'name', 'status'],
    members: {
      /** ENVIRONMENT, SERVICE_INSTANCE, SERVICE_PIPELINE or COMPONENT. */
      kind: { shape: 'NucleonString' },
      name: { shape: 'NucleonString' },
      serviceName: { shape: 'NucleonString' },
      environmentName: { shape: 'NucleonString' },
      templateName: { shape: 'NucleonString' },
      templateMajorVersion: { shape: 'NucleonString' },
      templateMinorVersion: { shape: 'NucleonString' },
      /** The stack; absent for a self-managed Terraform folder (see `folder`). */
      stackName: { shape: 'NucleonString' },
      folder: { shape: 'NucleonString' },
      account: { shape: 'NucleonString' },
      region: { shape: 'NucleonString' },
      /** The stack's status, or SELF_MANAGED for a folder. */
      status: { shape: 'NucleonString' },
    },
  },
  NucleonImportInventory: { type: 'list', member: 'NucleonImportInventoryItem' },
  NucleonImportResource: {
    type: 'structure',
    required: ['request'],
    members: {
      /** What MatchProtonResource and AdoptProtonResource take for the resource (a starter). */
      request: { shape: 'MatchProtonResourceInput' },
      /** Inputs filled in from the stacks' parameters (or proton.auto.tfvars.json). */
      inferredInputs: { shape: 'NucleonImportTextList' },
    },
  },
  NucleonImportResourceList: { type: 'list', member: 'NucleonImportResource' },
  DiscoverProtonResourcesInput: {
    type: 'structure',
    members: {
      /** Regions to read (default: Nucleon's own region). */
      regions: { shape: 'NucleonImportTextList' },
      /** Roles to assume (STS AssumeRole) to read other accounts. */
      roleArns: { shape: 'NucleonImportTextList' },
      /** A self-managed provisioning repository linked in Nucleon, to read Terraform folders from. */
      provisioningRepository: { shape: 'RepositoryBranchInput' },
    },
  },
  DiscoverProtonResourcesOutput: {
    type: 'structure',
    required: ['inventory', 'resources', 'notes'],
    members: {
      inventory: { shape: 'NucleonImportInventory' },
      resources: { shape: 'NucleonImportResourceList' },
      notes: { shape: 'NucleonImportTextList' },
    },
  },
};

const errors = [
  'ValidationException',
  'ConflictException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'InternalServerException',
];

export const importOperations = {
  DiscoverProtonResources: {
    input: 'DiscoverProtonResourcesInput',
    output: 'DiscoverProtonResourcesOutput',
    errors,
    idempotent: true,
  },
  MatchProtonResource: {
    input: 'MatchProtonResourceInput',
    output: 'MatchProtonResourceOutput',
    errors,
    idempotent: true,
  },
  AdoptProtonResource: {
    input: 'AdoptProtonResourceInput',
    output: 'AdoptProtonResourceOutput',
    errors,
    idempotent: true,
  },
} as const satisfies Record<string, ModelOperation>;

export interface NucleonImportStack {
  target: string;
  stackName: string;
  stackId: string;
  template: string;
  outputs?: Array<{ key: string; value: string }>;
}
export interface NucleonImportFolder {
  target: string;
  folder: string;
  files: Array<{ path: string; content: string }>;
  outputs?: Array<{ key: string; value: string }>;
}
export interface NucleonImportResult {
  target: string;
  stackName: string;
  folder?: string;
  match: 'EXACT' | 'DIFFERENT';
  diff?: string;
  adopted: boolean;
  message?: string;
}
export interface ProtonImportRequest {
  kind: 'ENVIRONMENT' | 'SERVICE' | 'COMPONENT';
  name: string;
  /** Required for environments and services; a component's template is its `templateFile`. */
  templateName?: string;
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  /** Environment or service spec (required); for an attached component, its service's spec. */
  spec?: string;
  stacks: NucleonImportStack[];
  /** Self-managed Terraform: the resource's folders in the provisioning repository. */
  folders?: NucleonImportFolder[];
  /** Environment with self-managed Terraform: the repository, as linked in Nucleon. */
  provisioningRepository?: { provider: string; name: string; branch: string };
  acceptDifferences?: boolean;
  /** Environment: the roles Proton deployed it with (the stack's RoleARN, the component stacks'). */
  protonServiceRoleArn?: string;
  componentRoleArn?: string;
  /** Service with a pipeline: the source repository its pipeline builds from. */
  repositoryConnectionArn?: string;
  repositoryId?: string;
  branchName?: string;
  /** Component: where it lives and its own manifest and template file. */
  environmentName?: string;
  serviceName?: string;
  serviceInstanceName?: string;
  manifest?: string;
  templateFile?: string;
}

/** One resource discovery found, as DiscoverProtonResources lists it. */
export interface NucleonImportInventoryItem {
  kind: 'ENVIRONMENT' | 'SERVICE_INSTANCE' | 'SERVICE_PIPELINE' | 'COMPONENT';
  name: string;
  serviceName?: string;
  environmentName?: string;
  templateName?: string;
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  stackName?: string;
  folder?: string;
  account?: string;
  region?: string;
  status: string;
}
export interface DiscoverProtonResourcesInput {
  regions?: string[];
  roleArns?: string[];
  provisioningRepository?: { provider: string; name: string; branch: string };
}
export interface DiscoverProtonResourcesOutput {
  inventory: NucleonImportInventoryItem[];
  /** One starter request per environment, service and component, in adoption order. */
  resources: Array<{ request: ProtonImportRequest; inferredInputs?: string[] }>;
  notes: string[];
}
