import type { DeploymentStatus } from '@nucleon/core';
import type { Insertable, Selectable } from 'kysely';
import type {
  DeploymentRecord,
  DeploymentSummaryRecord,
  ResourceKind,
  ResourceRecord,
  ServiceRecord,
} from '../../ports/deployment-store.js';
import type { Database } from './schema.js';

const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export function toResource(r: Selectable<Database['resources']>): ResourceRecord {
  return {
    kind: r.kind as ResourceKind,
    serviceName: r.service_name,
    name: r.name,
    arn: r.arn,
    environmentName: r.environment_name,
    templateName: r.template_name,
    templateMajor: r.template_major,
    templateMinor: r.template_minor,
    spec: r.spec,
    deploymentStatus: r.deployment_status as DeploymentStatus,
    deploymentStatusMessage: r.deployment_status_message,
    lastAttemptedDeploymentId: r.last_attempted_deployment_id,
    lastSucceededDeploymentId: r.last_succeeded_deployment_id,
    lastDeploymentAttemptedAt: new Date(r.last_deployment_attempted_at),
    lastDeploymentSucceededAt: new Date(r.last_deployment_succeeded_at),
    settings: parsed<Record<string, unknown>>(r.settings) ?? {},
    createdAt: new Date(r.created_at),
    engineName: r.engine_name,
    provisioningFolder: r.provisioning_folder,
  };
}

export function resourceRow(r: ResourceRecord): Insertable<Database['resources']> {
  return {
    kind: r.kind,
    service_name: r.serviceName,
    name: r.name,
    arn: r.arn,
    environment_name: r.environmentName,
    template_name: r.templateName,
    template_major: r.templateMajor,
    template_minor: r.templateMinor,
    spec: r.spec,
    deployment_status: r.deploymentStatus,
    deployment_status_message: r.deploymentStatusMessage,
    last_attempted_deployment_id: r.lastAttemptedDeploymentId,
    last_succeeded_deployment_id: r.lastSucceededDeploymentId,
    last_deployment_attempted_at: r.lastDeploymentAttemptedAt,
    last_deployment_succeeded_at: r.lastDeploymentSucceededAt,
    settings: JSON.stringify(r.settings),
    created_at: r.createdAt,
    // engine_name is written only by assignEngineName: once, when first provisioned.
    ...(r.provisioningFolder !== undefined ? { provisioning_folder: r.provisioningFolder } : {}),
  };
}

export function toService(r: Selectable<Database['services']>): ServiceRecord {
  return {
    name: r.name,
    arn: r.arn,
    templateName: r.template_name,
    description: r.description,
    spec: r.spec,
    status: r.status,
    statusMessage: r.status_message,
    repositoryConnectionArn: r.repository_connection_arn,
    repositoryId: r.repository_id,
    branchName: r.branch_name,
    pendingPipeline: r.pending_pipeline,
    createdAt: new Date(r.created_at),
    lastModifiedAt: new Date(r.last_modified_at),
  };
}

export function serviceRow(s: Partial<ServiceRecord>): Partial<Insertable<Database['services']>> {
  const row: Partial<Insertable<Database['services']>> = {};
  if (s.name !== undefined) row.name = s.name;
  if (s.arn !== undefined) row.arn = s.arn;
  if (s.templateName !== undefined) row.template_name = s.templateName;
  if (s.description !== undefined) row.description = s.description;
  if (s.spec !== undefined) row.spec = s.spec;
  if (s.status !== undefined) row.status = s.status;
  if (s.statusMessage !== undefined) row.status_message = s.statusMessage;
  if (s.repositoryConnectionArn !== undefined)
    row.repository_connection_arn = s.repositoryConnectionArn;
  if (s.repositoryId !== undefined) row.repository_id = s.repositoryId;
  if (s.branchName !== undefined) row.branch_name = s.branchName;
  if (s.pendingPipeline !== undefined) row.pending_pipeline = s.pendingPipeline;
  if (s.createdAt !== undefined) row.created_at = s.createdAt;
  if (s.lastModifiedAt !== undefined) row.last_modified_at = s.lastModifiedAt;
  return row;
}

export function toDeployment(r: Selectable<Database['deployments']>): DeploymentRecord {
  return {
    id: r.id,
    arn: r.arn,
    target: {
      kind: r.target_kind as ResourceKind,
      serviceName: r.target_service,
      name: r.target_name,
    },
    targetArn: r.target_arn,
    targetCreatedAt: new Date(r.target_created_at),
    environmentName: r.environment_name,
    operation: r.operation as DeploymentRecord['operation'],
    engine: r.engine,
    status: r.status as DeploymentStatus,
    statusMessage: r.status_message,
    cancelRequested: r.cancel_requested,
    initialState: parsed(r.initial_state),
    targetState: parsed(r.target_state),
    rendered: parsed(r.rendered),
    outputs: parsed(r.outputs),
    provisionedResources: parsed(r.provisioned_resources),
    previousAttemptedId: r.previous_attempted_id,
    previousSucceededId: r.previous_succeeded_id,
    createdAt: new Date(r.created_at),
    lastModifiedAt: new Date(r.last_modified_at),
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
  };
}

export function deploymentRow(d: DeploymentRecord): Insertable<Database['deployments']> {
  return {
    id: d.id,
    arn: d.arn,
    target_kind: d.target.kind,
    target_service: d.target.serviceName,
    target_name: d.target.name,
    target_arn: d.targetArn,
    target_created_at: d.targetCreatedAt,
    environment_name: d.environmentName,
    operation: d.operation,
    engine: d.engine,
    status: d.status,
    status_message: d.statusMessage,
    cancel_requested: d.cancelRequested,
    initial_state: json(d.initialState),
    target_state: JSON.stringify(d.targetState),
    rendered: json(d.rendered),
    outputs: json(d.outputs),
    provisioned_resources: json(d.provisionedResources),
    previous_attempted_id: d.previousAttemptedId,
    previous_succeeded_id: d.previousSucceededId,
    created_at: d.createdAt,
    last_modified_at: d.lastModifiedAt,
    completed_at: d.completedAt,
  };
}

/** The columns ListDeployments reads: never the rendered files, states or outputs. */
export const deploymentSummaryColumns = [
  'id',
  'arn',
  'target_kind',
  'target_service',
  'target_name',
  'target_arn',
  'target_created_at',
  'environment_name',
  'operation',
  'engine',
  'status',
  'status_message',
  'cancel_requested',
  'previous_attempted_id',
  'previous_succeeded_id',
  'created_at',
  'last_modified_at',
  'completed_at',
] as const;

export function toDeploymentSummary(
  r: Pick<Selectable<Database['deployments']>, (typeof deploymentSummaryColumns)[number]>,
): DeploymentSummaryRecord {
  return {
    id: r.id,
    arn: r.arn,
    target: {
      kind: r.target_kind as ResourceKind,
      serviceName: r.target_service,
      name: r.target_name,
    },
    targetArn: r.target_arn,
    targetCreatedAt: new Date(r.target_created_at),
    environmentName: r.environment_name,
    operation: r.operation as DeploymentRecord['operation'],
    engine: r.engine,
    status: r.status as DeploymentStatus,
    statusMessage: r.status_message,
    cancelRequested: r.cancel_requested,
    previousAttemptedId: r.previous_attempted_id,
    previousSucceededId: r.previous_succeeded_id,
    createdAt: new Date(r.created_at),
    lastModifiedAt: new Date(r.last_modified_at),
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
  };
}
