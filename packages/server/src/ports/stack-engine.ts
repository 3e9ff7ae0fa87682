/**
 * The port for AWS-managed provisioning (spec §7): a rendered CloudFormation template becomes one
 * stack per Proton resource. Also home of the result shape every provisioning engine returns, so
 * the deployment worker maps all engines to deployment status with one exhaustive switch.
 */

/** Matches Proton's `ProvisionedResourceEngine` enum on the wire. */
export const ProvisioningEngine = {
  CLOUDFORMATION: 'CLOUDFORMATION',
  TERRAFORM: 'TERRAFORM',
} as const;
export type ProvisioningEngine = (typeof ProvisioningEngine)[keyof typeof ProvisioningEngine];

/** Proton's `ProvisionedResource` shape (ListEnvironmentProvisionedResources and friends). */
export interface ProvisionedResource {
  name: string;
  identifier: string;
  provisioningEngine: ProvisioningEngine;
}

export const EngineOutcome = {
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  TIMED_OUT: 'TIMED_OUT',
} as const;
export type EngineOutcome = (typeof EngineOutcome)[keyof typeof EngineOutcome];

/**
 * Why a FAILED run failed, so the worker can decide about retries without parsing messages:
 * `TEMPLATE_INVALID` — the engine rejected the template or its inputs; fix the template, don't retry.
 * `ENGINE_FAILED` — the engine ran and a resource failed; retrying rarely helps without a change.
 * `INTERNAL` — the engine could not be reached or answered unexpectedly; safe to retry (engines are
 * idempotent per resource, see each adapter).
 */
export const EngineErrorCode = {
  TEMPLATE_INVALID: 'TEMPLATE_INVALID',
  ENGINE_FAILED: 'ENGINE_FAILED',
  INTERNAL: 'INTERNAL',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** What every engine operation resolves to. Engine problems are results, never thrown. */
export interface EngineResult {
  outcome: EngineOutcome;
  /** What happened, with the engine's own reason on failure; written for the template's user. */
  message: string;
  /** Set when `outcome` is FAILED. */
  errorCode?: EngineErrorCode;
  /** Stack or Terraform outputs; non-string values are JSON-encoded, as Proton does. */
  outputs: Record<string, string>;
  provisionedResources: ProvisionedResource[];
  /**
   * Self-managed provisioning: the engine handed the work to the user's automation, and the
   * deployment stays IN_PROGRESS until NotifyResourceDeploymentStatusChange ends it.
   */
  awaitingNotification?: boolean;
}

/** A readable progress line for the deployment log. */
export type EngineEventListener = (line: string) => void;

/**
 * The resource a stack belongs to. With it, the engine tags the stacks it creates and refuses to
 * update or delete a stack whose ownership tags name another installation or resource, or that
 * has none (unless `legacyName`: the resource still uses the name of an earlier Nucleon, whose
 * stacks were untagged; such a stack is adopted and tagged). See ADR 0010.
 */
export interface StackOwner {
  installationId: string;
  resourceArn: string;
  legacyName: boolean;
  /**
   * The id of the stack this resource was adopted with from AWS Proton (ADR 0021): that stack,
   * untagged by Nucleon, is the resource's own; its first update adds the ownership tags.
   */
  adoptedStackId?: string;
}

export interface StackDeployRequest {
  /** One stack per Proton resource; the name is the idempotency key of a deploy. */
  stackName: string;
  /** The rendered template (YAML or JSON). */
  templateBody: string;
  tags?: Readonly<Record<string, string>>;
  owner?: StackOwner;
  /** Assumed through STS for this operation; without it the server's own credentials are used. */
  roleArn?: string;
  region: string;
  /** Overall budget; on expiry an update is cancelled and rolled back, a create is deleted. */
  timeoutMs?: number;
  /** Abort = cancel: an update is rolled back (CancelUpdateStack), a first create is deleted. */
  signal?: AbortSignal;
  onEvent: EngineEventListener;
}

export interface StackDestroyRequest {
  stackName: string;
  owner?: StackOwner;
  roleArn?: string;
  region: string;
  timeoutMs?: number;
  /** A requested deletion cannot be undone; abort only stops waiting for it. */
  signal?: AbortSignal;
  onEvent: EngineEventListener;
}

/**
 * Deploys and destroys one CloudFormation stack. Both operations are idempotent by stack name:
 * calling again after a crash waits for whatever the previous call started, then converges.
 */
export interface StackEngine {
  deploy(request: StackDeployRequest): Promise<EngineResult>;
  destroy(request: StackDestroyRequest): Promise<EngineResult>;
}
