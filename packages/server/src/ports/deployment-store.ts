import type { DeploymentStatus } from '@nucleon/core';
import type { NewJob } from './catalog-store.js';

/** Proton's DeploymentTargetResourceType for the resources Nucleon deploys. */
export type ResourceKind = 'ENVIRONMENT' | 'SERVICE_INSTANCE' | 'SERVICE_PIPELINE' | 'COMPONENT';

export interface ResourceKey {
  kind: ResourceKind;
  /** '' for environments. */
  serviceName: string;
  /** Environment name, instance name, or 'pipeline'. */
  name: string;
}

export interface ResourceRecord extends ResourceKey {
  arn: string;
  environmentName: string | null;
  templateName: string;
  templateMajor: number;
  templateMinor: number;
  spec: string | null;
  deploymentStatus: DeploymentStatus;
  deploymentStatusMessage: string | null;
  lastAttemptedDeploymentId: string | null;
  lastSucceededDeploymentId: string | null;
  lastDeploymentAttemptedAt: Date;
  lastDeploymentSucceededAt: Date;
  /** Kind-specific: inputs, roles, provisioning repository, description, client token. */
  settings: Record<string, unknown>;
  createdAt: Date;
  /** Stack / Terraform state name, chosen when first provisioned and never recomputed (ADR 0010). */
  engineName?: string | null;
  /** The folder this resource holds in its environment's self-managed provisioning repository. */
  provisioningFolder?: string | null;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  templateName: string;
  description: string | null;
  spec: string;
  status: string;
  statusMessage: string | null;
  repositoryConnectionArn: string | null;
  repositoryId: string | null;
  branchName: string | null;
  /** Set when UpdateService changed the instances: the pipeline re-renders once they settle. */
  pendingPipeline?: boolean;
  createdAt: Date;
  lastModifiedAt: Date;
}

export type DeploymentOperation = 'DEPLOY' | 'DELETE';

export interface DeploymentRecord {
  id: string;
  arn: string;
  target: ResourceKey;
  targetArn: string;
  targetCreatedAt: Date;
  environmentName: string;
  operation: DeploymentOperation;
  engine: string;
  status: DeploymentStatus;
  statusMessage: string | null;
  cancelRequested: boolean;
  initialState: Record<string, unknown> | null;
  targetState: Record<string, unknown>;
  rendered: Record<string, string> | null;
  outputs: Record<string, string> | null;
  provisionedResources: Array<{ name: string; identifier: string; provisioningEngine: string }> | null;
  previousAttemptedId: string | null;
  previousSucceededId: string | null;
  createdAt: Date;
  lastModifiedAt: Date;
  completedAt: Date | null;
}

export interface DeploymentEvent {
  id: number;
  at: Date;
  kind: 'status' | 'engine' | 'stdout' | 'stderr';
  message: string;
}

/** A new deployment of a resource, started atomically with its job. */
export interface StartDeployment {
  resource: ResourceRecord;
  deployment: DeploymentRecord;
  job: NewJob;
}

export interface DeploymentFilter {
  environmentName?: string | undefined;
  serviceName?: string | undefined;
  serviceInstanceName?: string | undefined;
  componentName?: string | undefined;
}

/** Persistence of deployable resources, services and deployments with their event log. */
export interface DeploymentStore {
  getResource(key: ResourceKey): Promise<ResourceRecord | undefined>;
  listResources(filter: { kind?: ResourceKind; serviceName?: string; environmentName?: string }): Promise<ResourceRecord[]>;
  getService(name: string): Promise<ServiceRecord | undefined>;
  /** The resource holding a folder of a self-managed provisioning repository (ADR 0010). */
  getResourceByProvisioningFolder(folder: string): Promise<ResourceRecord | undefined>;
  /**
   * Records the engine name (stack, Terraform state) of a resource unless it already has one;
   * returns the name it has now. A name, once stored, is never recomputed (ADR 0010).
   */
  assignEngineName(key: ResourceKey, name: string): Promise<string | undefined>;
  listServices(): Promise<ServiceRecord[]>;

  /**
   * Inserts new resources (and a service, when given) with their first deployments and jobs in
   * one transaction. Returns false, changing nothing, when any of them already exists; throws
   * ConflictError when a provisioning folder is taken meanwhile.
   */
  createResources(input: { service?: ServiceRecord; starts: StartDeployment[] }): Promise<boolean>;
  /**
   * Starts deployments of existing resources in one transaction: each resource is updated only
   * if it has no deployment in progress. Returns false, changing nothing, on a conflict.
   */
  startDeployments(starts: StartDeployment[], service?: Partial<ServiceRecord> & { name: string }): Promise<boolean>;
  /** Updates resource settings without a deployment (deploymentType NONE). */
  updateResourceSettings(key: ResourceKey, settings: Record<string, unknown>, spec?: string): Promise<ResourceRecord | undefined>;
  updateService(name: string, patch: Partial<Omit<ServiceRecord, 'name' | 'arn' | 'createdAt'>>): Promise<void>;
  deleteService(name: string): Promise<void>;

  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(filter: DeploymentFilter): Promise<DeploymentRecord[]>;
  deleteDeployment(id: string): Promise<boolean>;
  appendEvents(deploymentId: string, events: ReadonlyArray<Omit<DeploymentEvent, 'id' | 'at'> & { at?: Date }>): Promise<void>;
  listEvents(deploymentId: string, afterId?: number, limit?: number): Promise<DeploymentEvent[]>;
  saveRendered(deploymentId: string, rendered: Record<string, string>): Promise<void>;
  /** Merges outputs reported while the deployment runs (NotifyResourceDeploymentStatusChange). */
  mergeOutputs(deploymentId: string, outputs: Record<string, string>): Promise<void>;
  requestCancel(deploymentId: string): Promise<DeploymentRecord | undefined>;
  /**
   * Ends an active deployment and updates its resource in one transaction; a DELETE_COMPLETE
   * removes the resource. Returns false when the deployment was no longer active.
   */
  finishDeployment(
    id: string,
    result: {
      status: DeploymentStatus;
      message: string | null;
      outputs?: Record<string, string> | undefined;
      provisionedResources?: DeploymentRecord['provisionedResources'] | undefined;
    },
  ): Promise<boolean>;
  setDeploymentStatus(id: string, status: DeploymentStatus, message: string | null): Promise<void>;

  /** Resources deployed on a template version, by kind. */
  countVersionUsage(templateKind: 'ENVIRONMENT' | 'SERVICE', templateName: string, major: number, minor: number): Promise<{ environments: number; serviceInstances: number; pipelines: number }>;
}
