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

/**
 * A change to a service made in the same transaction as its deployments. It applies only while
 * the service's status is one of `from` (default: the statuses core's service state machine
 * allows the new `status` to follow); otherwise the whole transaction changes nothing.
 */
export type ServicePatch = Partial<Omit<ServiceRecord, 'name' | 'arn' | 'createdAt'>> & {
  name: string;
  from?: readonly string[];
};

/**
 * A service status decided from a snapshot of the service and its resources (reconcile). It is
 * applied only if, with the service row locked, both are still as they were.
 */
export interface ServiceSettlement {
  expected: {
    status: string;
    resources: ReadonlyArray<
      Pick<ResourceRecord, 'kind' | 'name' | 'deploymentStatus' | 'lastAttemptedDeploymentId'>
    >;
  };
  patch?: Omit<ServicePatch, 'name' | 'from'>;
  starts?: StartDeployment[];
  /** DELETE_IN_PROGRESS with nothing left: the service row goes. */
  deleteService?: boolean;
}

/** The queue of the job that recomputes a service's status after one of its deployments ended. */
export const RECONCILE_SERVICE_QUEUE = 'reconcile-service';

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
  provisionedResources: Array<{
    name: string;
    identifier: string;
    provisioningEngine: string;
  }> | null;
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

/** What ListDeployments shows of a deployment: everything but its states, files and outputs. */
export type DeploymentSummaryRecord = Omit<
  DeploymentRecord,
  'initialState' | 'targetState' | 'rendered' | 'outputs' | 'provisionedResources'
>;

/** Rows after `after` (exclusive; none means from the start), at most `limit` of them. */
export interface KeysetWindow {
  after?: string | undefined;
  limit: number;
}

/** One of ListServiceInstances' filters, as the store applies it (ADR 0029). */
export type InstanceFilter =
  | {
      key:
        | 'name'
        | 'deploymentStatus'
        | 'templateName'
        | 'serviceName'
        | 'environmentName'
        | 'deployedTemplateVersionStatus';
      value: string;
    }
  | {
      key:
        | 'lastDeploymentAttemptedAtBefore'
        | 'lastDeploymentAttemptedAtAfter'
        | 'createdAtBefore'
        | 'createdAtAfter';
      date: Date;
    };

/** ListServiceInstances' sort keys whose values are times: in tokens, whole microseconds. */
export const instanceTimeSorts: ReadonlySet<string> = new Set([
  'lastDeploymentAttemptedAt',
  'createdAt',
]);

/** ListServiceInstances in SQL: its filters (all must hold), sort key and order. */
export interface InstancePageQuery {
  serviceName?: string | undefined;
  filters: readonly InstanceFilter[];
  sortBy: string;
  sortOrder: 'ASCENDING' | 'DESCENDING';
}

/** Persistence of deployable resources, services and deployments with their event log. */
export interface DeploymentStore {
  getResource(key: ResourceKey): Promise<ResourceRecord | undefined>;
  listResources(filter: {
    kind?: ResourceKind;
    serviceName?: string;
    environmentName?: string;
  }): Promise<ResourceRecord[]>;
  /**
   * One keyset page of the resources of a kind within one service (`''` for environments and
   * components), ordered by name (the key); `templates` keeps only those of the given template
   * major versions.
   */
  pageResources(
    filter: {
      kind: ResourceKind;
      serviceName: string;
      templates?: ReadonlyArray<{ templateName: string; major: number }> | undefined;
    },
    page: KeysetWindow,
  ): Promise<ResourceRecord[]>;
  /**
   * One keyset page of service instances (never their specs), after the `[sort value as text,
   * arn]` of the last one listed; each with that key's sort value.
   */
  pageInstances(
    query: InstancePageQuery,
    page: { after?: readonly [string, string] | undefined; limit: number },
  ): Promise<Array<{ resource: ResourceRecord; sortKey: string }>>;
  /** One keyset page of components by name (never their specs), filtered in SQL. */
  pageComponents(
    filter: { environmentName?: string; serviceName?: string; serviceInstanceName?: string },
    page: KeysetWindow,
  ): Promise<ResourceRecord[]>;
  /**
   * One keyset page of a deployment's outputs by key (reading nothing else of it); undefined when
   * no deployment of that id provisioned `targetArn`.
   */
  pageOutputs(
    deploymentId: string,
    targetArn: string,
    page: KeysetWindow,
  ): Promise<Array<{ key: string; valueString: string }> | undefined>;
  /** One keyset page of a deployment's provisioned resources, by position (1-based). */
  pageProvisionedResources(
    deploymentId: string,
    page: KeysetWindow,
  ): Promise<
    Array<{ position: number; name: string; identifier: string; provisioningEngine: string }>
  >;
  getService(name: string): Promise<ServiceRecord | undefined>;
  /** The resource holding a folder of a self-managed provisioning repository (ADR 0010). */
  getResourceByProvisioningFolder(folder: string): Promise<ResourceRecord | undefined>;
  /**
   * Records the engine name (stack, Terraform state) of a resource unless it already has one;
   * returns the name it has now. A name, once stored, is never recomputed (ADR 0010).
   */
  assignEngineName(key: ResourceKey, name: string): Promise<string | undefined>;
  listServices(): Promise<ServiceRecord[]>;
  /** One keyset page of services ordered by name (the key). */
  pageServices(page: KeysetWindow): Promise<ServiceRecord[]>;

  /**
   * Inserts new resources (and a service, when given) with their first deployments and jobs in
   * one transaction. Returns false, changing nothing, when any of them already exists; throws
   * ConflictError when the environment or service they go into is being deleted (both are
   * locked, so this cannot race DeleteEnvironment or DeleteService), or when a provisioning folder
   * is taken meanwhile.
   */
  createResources(input: { service?: ServiceRecord; starts: StartDeployment[] }): Promise<boolean>;
  /**
   * Adoption of running infrastructure (ADR 0021), one transaction: the service (when given) and
   * the resources with their engine names already set and a finished deployment each, and no job
   * (nothing is provisioned). Returns false, changing nothing, when any of them already exists;
   * throws ConflictError like createResources.
   */
  adoptResources(input: {
    service?: ServiceRecord;
    adoptions: Array<{
      resource: ResourceRecord;
      deployment: DeploymentRecord;
      engineName: string;
    }>;
  }): Promise<boolean>;
  /**
   * One transaction: the service patch (guarded by its status, applied first so concurrent
   * service operations serialise on its row), new resources (`creates`), and deployments of
   * existing resources, each only if it has no deployment in progress. Returns false, changing
   * nothing, on a conflict.
   */
  startDeployments(
    starts: StartDeployment[],
    service?: ServicePatch,
    creates?: StartDeployment[],
  ): Promise<boolean>;
  /**
   * DeleteEnvironment in one transaction: the environment row is locked, then it must hold no
   * service instance or component (ConflictError naming them) and have no deployment in
   * progress (returns false).
   */
  startEnvironmentDeletion(start: StartDeployment): Promise<boolean>;
  /**
   * DeleteService in one transaction: DELETE_IN_PROGRESS from a settled status, no attached
   * component, `starts` deleting exactly the service's resources (ConflictError otherwise);
   * with nothing to delete the service goes at once. Returns false when the service is busy.
   */
  startServiceDeletion(name: string, starts: StartDeployment[], now: Date): Promise<boolean>;
  /** Applies a reconcile decision if nothing changed since it was made; false otherwise. */
  settleService(name: string, settlement: ServiceSettlement): Promise<boolean>;
  /** Updates resource settings without a deployment (deploymentType NONE). */
  updateResourceSettings(
    key: ResourceKey,
    settings: Record<string, unknown>,
    spec?: string,
  ): Promise<ResourceRecord | undefined>;

  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(filter: DeploymentFilter): Promise<DeploymentRecord[]>;
  /**
   * One keyset page of deployment summaries, newest first (created at descending, then id), after
   * the given one. Reads only the summary columns.
   */
  pageDeployments(
    filter: DeploymentFilter,
    page: { after?: { createdAt: Date; id: string } | undefined; limit: number },
  ): Promise<DeploymentSummaryRecord[]>;
  deleteDeployment(id: string): Promise<boolean>;
  appendEvents(
    deploymentId: string,
    events: ReadonlyArray<Omit<DeploymentEvent, 'id' | 'at'> & { at?: Date }>,
  ): Promise<void>;
  listEvents(deploymentId: string, afterId?: number, limit?: number): Promise<DeploymentEvent[]>;
  saveRendered(deploymentId: string, rendered: Record<string, string>): Promise<void>;
  /** Merges outputs reported while the deployment runs (NotifyResourceDeploymentStatusChange). */
  mergeOutputs(deploymentId: string, outputs: Record<string, string>): Promise<void>;
  /**
   * Cancels an IN_PROGRESS deployment: it and its resource become CANCELLING in one
   * transaction. Undefined when it was no longer IN_PROGRESS.
   */
  requestCancel(deploymentId: string): Promise<DeploymentRecord | undefined>;
  /**
   * Ends an active deployment and updates its resource in one transaction, guarded by the
   * source statuses core allows; a DELETE_COMPLETE removes the resource. A delete ends in the
   * DELETE_* statuses whatever status is given (`endStatus`). When the resource is a service
   * instance or pipeline, a job recomputing the service's status is enqueued in the same
   * transaction. Returns false when the deployment was no longer active.
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

  /**
   * Sets the status message of a deployment that is still running, and of its resource, without
   * changing any status (the stall warning). Does nothing once the deployment has ended.
   */
  noteProgress(id: string, message: string | null): Promise<void>;

  /** Resources deployed on a template version, by kind. */
  countVersionUsage(
    templateKind: 'ENVIRONMENT' | 'SERVICE',
    templateName: string,
    major: number,
    minor: number,
  ): Promise<{ environments: number; serviceInstances: number; pipelines: number }>;
}
