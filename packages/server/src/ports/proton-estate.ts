/**
 * What AWS Proton left behind, as discovery reads it (ADR 0021, 0028, 0030): the stacks tagged
 * `proton:*` and the self-managed Terraform folders of a provisioning repository. Reading it
 * is read-only: no call changes a stack or commits to a repository.
 */

export type DiscoveredKind = 'ENVIRONMENT' | 'SERVICE_INSTANCE' | 'SERVICE_PIPELINE' | 'COMPONENT';

/** One stack Proton left behind, classified by its tags. */
export interface DiscoveredStack {
  kind: DiscoveredKind;
  /** Environment, instance or component name; 'pipeline' for a pipeline. */
  name: string;
  serviceName?: string;
  /** A component attached to a service instance: the instance (serviceName is its service). */
  serviceInstanceName?: string;
  environmentName?: string;
  resourceArn: string;
  /** The role CloudFormation deployed the stack with (Proton's service or component role). */
  roleArn?: string;
  /** The stack's current template (components always; every stack when asked for). */
  template?: string;
  templateKind?: 'ENVIRONMENT' | 'SERVICE';
  templateName?: string;
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  stackName: string;
  stackId: string;
  /** Region and account of the stack (from its id). */
  region: string;
  account: string;
  /** The role discovery assumed to read the stack's account (`--role-arn`), if any. */
  discoveryRoleArn?: string;
  status: string;
  parameters: Record<string, string>;
  outputs: Array<{ key: string; value: string }>;
  tags: Record<string, string>;
}

/** A self-managed provisioning repository as Proton knew it: `provider:name@branch` and where to read it. */
export interface ProvisioningRepository {
  provider: string;
  name: string;
  branch: string;
  url: string;
}

/** One folder Proton committed for a resource (it holds `.proton/deployment-metadata.json`). */
export interface DiscoveredFolder extends Pick<
  DiscoveredStack,
  'templateKind' | 'templateName' | 'templateMajorVersion' | 'templateMinorVersion'
> {
  kind: DiscoveredKind;
  name: string;
  serviceName?: string;
  /** A component attached to a service instance: the instance (serviceName is its service). */
  serviceInstanceName?: string;
  environmentName?: string;
  folder: string;
  resourceArn: string;
  /** The inputs in the folder's proton.auto.tfvars.json (strings, as Proton wrote them). */
  inputs: Record<string, string>;
  /** An instance folder's copy of its environment's outputs. */
  environmentOutputs?: Record<string, string>;
  /** A pipeline's source repository, from its proton.auto.tfvars.json. */
  sourceRepository?: { repositoryConnectionArn: string; repositoryId: string; branchName: string };
  /** A component's template file, the one `.tf` file Proton did not generate. */
  templateFile?: { name: string; content: string };
  /** The folder's own files, when asked for (what match compares). */
  files?: Array<{ path: string; content: string }>;
}

/** Where to discover: regions × (own account + one per role), and optionally a repository. */
export interface EstateScope {
  regions: readonly string[];
  roleArns: readonly string[];
  repository?: ProvisioningRepository;
}

/** Reads what Proton left behind, with the server's own AWS credentials (the SDK's chain). */
export interface ProtonEstate {
  /** Every stack (with its template) and folder (with its files), read-only. */
  discover(scope: EstateScope): Promise<{ stacks: DiscoveredStack[]; folders: DiscoveredFolder[] }>;
}
