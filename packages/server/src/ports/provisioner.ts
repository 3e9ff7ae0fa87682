import type { EngineResult, StackOwner } from './stack-engine.js';

/** One run of an engine for one deployment. */
export interface ProvisionRequest {
  deploymentId: string;
  operation: 'DEPLOY' | 'DELETE';
  resourceArn: string;
  /** The resource's stored engine name (stack name, Terraform state folder); see ADR 0010. */
  resourceName: string;
  /** Who owns the stack: engines tag what they create and touch nothing tagged for someone else. */
  owner: StackOwner;
  /** Files the engine receives, relative to its working folder (rendered IaC, inputs, code). */
  files: ReadonlyMap<string, Uint8Array | string>;
  /** The template file to deploy (CloudFormation). */
  templateFile?: string;
  /** CodeBuild-style commands. */
  commands?: {
    provision: readonly string[];
    deprovision: readonly string[];
    env: Readonly<Record<string, string>>;
    /** The manifest's build image and runtime versions (honoured by remote runners). */
    image?: string | undefined;
    runtimes?: Readonly<Record<string, string>> | undefined;
  };
  /** Role settings from the environment (protonServiceRoleArn, codebuildRoleArn). */
  roleArn?: string | undefined;
  /** The environment the resource belongs to (itself for an environment); picks the runner. */
  environmentName?: string | undefined;
  /** Self-managed Terraform: the linked repository, branch and folder that receive the files. */
  repository?: { provider: string; name: string; branch: string; folder: string } | undefined;
  timeoutMs: number;
  signal: AbortSignal;
  log(kind: 'engine' | 'stdout' | 'stderr', message: string): void;
  /** Outputs reported so far through NotifyResourceDeploymentStatusChange. */
  reportedOutputs(): Promise<Record<string, string>>;
}

/** A provisioning engine as the deployment runner sees it. */
export interface Provisioner {
  run(request: ProvisionRequest): Promise<EngineResult>;
}
