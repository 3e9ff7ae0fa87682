import type {
  DeploymentRecord,
  DeploymentSummaryRecord,
  ResourceRecord,
  ServiceRecord,
} from '../../ports/deployment-store.js';

const common = (r: ResourceRecord) => ({
  arn: r.arn,
  templateName: r.templateName,
  templateMajorVersion: String(r.templateMajor),
  templateMinorVersion: String(r.templateMinor),
  deploymentStatus: r.deploymentStatus,
  deploymentStatusMessage: r.deploymentStatusMessage ?? undefined,
  createdAt: r.createdAt,
  lastDeploymentAttemptedAt: r.lastDeploymentAttemptedAt,
  lastDeploymentSucceededAt: r.lastDeploymentSucceededAt,
  lastAttemptedDeploymentId: r.lastAttemptedDeploymentId ?? undefined,
  lastSucceededDeploymentId: r.lastSucceededDeploymentId ?? undefined,
  spec: r.spec ?? undefined,
});

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The RepositoryBranch shape of a self-managed environment's provisioning repository: the
 * stored input (provider, name, branch) with the linked repository's ARN, in the environment's
 * own partition, region and account.
 */
function repositoryBranchView(
  r: ResourceRecord,
  repo: unknown,
): Record<string, unknown> | undefined {
  if (!repo || typeof repo !== 'object') return undefined;
  const { provider, name, branch, arn } = repo as Record<string, unknown>;
  const scope = r.arn.split(':').slice(0, 5).join(':');
  return {
    arn: s(arn) ?? `${scope}:repository/${String(provider).toLowerCase()}:${String(name)}`,
    branch: s(branch),
    name: s(name),
    provider: s(provider),
  };
}

/** The Environment shape. */
export function environmentView(r: ResourceRecord): Record<string, unknown> {
  const st = r.settings;
  return {
    ...common(r),
    name: r.name,
    description: s(st.description),
    protonServiceRoleArn: s(st.protonServiceRoleArn),
    environmentAccountConnectionId: s(st.environmentAccountConnectionId),
    environmentAccountId: s(st.environmentAccountId),
    provisioning: s(st.provisioning),
    provisioningRepository: repositoryBranchView(r, st.provisioningRepository),
    componentRoleArn: s(st.componentRoleArn),
    codebuildRoleArn: s(st.codebuildRoleArn),
  };
}

/** An environment as ListEnvironments shows it (EnvironmentSummary: no spec, no repository). */
export function environmentSummaryView(r: ResourceRecord): Record<string, unknown> {
  const {
    spec: _spec,
    provisioningRepository: _repository,
    codebuildRoleArn: _codebuild,
    ...summary
  } = environmentView(r);
  return summary;
}

/** The ServiceInstance shape. */
export function serviceInstanceView(r: ResourceRecord): Record<string, unknown> {
  return {
    ...common(r),
    name: r.name,
    serviceName: r.serviceName,
    environmentName: r.environmentName ?? undefined,
    lastClientRequestToken: s(r.settings.lastClientRequestToken),
  };
}

/** An instance as ListServiceInstances shows it (ServiceInstanceSummary: no spec, no client token). */
export function serviceInstanceSummaryView(r: ResourceRecord): Record<string, unknown> {
  const { spec: _spec, lastClientRequestToken: _token, ...summary } = serviceInstanceView(r);
  return summary;
}

/** The ServicePipeline shape. */
export function servicePipelineView(r: ResourceRecord): Record<string, unknown> {
  return common(r);
}

/** The Service shape (with its pipeline, when it has one). */
export function serviceView(
  svc: ServiceRecord,
  pipeline: ResourceRecord | undefined,
): Record<string, unknown> {
  return {
    name: svc.name,
    arn: svc.arn,
    templateName: svc.templateName,
    description: svc.description ?? undefined,
    spec: svc.spec,
    status: svc.status,
    statusMessage: svc.statusMessage ?? undefined,
    repositoryConnectionArn: svc.repositoryConnectionArn ?? undefined,
    repositoryId: svc.repositoryId ?? undefined,
    branchName: svc.branchName ?? undefined,
    createdAt: svc.createdAt,
    lastModifiedAt: svc.lastModifiedAt,
    pipeline: pipeline ? servicePipelineView(pipeline) : undefined,
  };
}

/** A service as ListServices shows it (ServiceSummary: no spec, repository or pipeline). */
export function serviceSummaryView(svc: ServiceRecord): Record<string, unknown> {
  return {
    name: svc.name,
    arn: svc.arn,
    templateName: svc.templateName,
    description: svc.description ?? undefined,
    status: svc.status,
    statusMessage: svc.statusMessage ?? undefined,
    createdAt: svc.createdAt,
    lastModifiedAt: svc.lastModifiedAt,
  };
}

/** The Component shape. */
export function componentView(r: ResourceRecord): Record<string, unknown> {
  const st = r.settings;
  return {
    name: r.name,
    arn: r.arn,
    environmentName: r.environmentName ?? '',
    serviceName: s(st.serviceName),
    serviceInstanceName: s(st.serviceInstanceName),
    serviceSpec: r.spec ?? undefined,
    description: s(st.description),
    deploymentStatus: r.deploymentStatus,
    deploymentStatusMessage: r.deploymentStatusMessage ?? undefined,
    createdAt: r.createdAt,
    lastModifiedAt:
      typeof st.lastModifiedAt === 'string' ? new Date(st.lastModifiedAt) : r.createdAt,
    lastDeploymentAttemptedAt: r.lastDeploymentAttemptedAt,
    lastDeploymentSucceededAt: r.lastDeploymentSucceededAt,
    lastAttemptedDeploymentId: r.lastAttemptedDeploymentId ?? undefined,
    lastSucceededDeploymentId: r.lastSucceededDeploymentId ?? undefined,
    lastClientRequestToken: s(st.lastClientRequestToken),
  };
}

/** A component as ListComponents shows it (ComponentSummary: no spec, description or client token). */
export function componentSummaryView(r: ResourceRecord): Record<string, unknown> {
  const {
    serviceSpec: _spec,
    description: _description,
    lastClientRequestToken: _token,
    ...summary
  } = componentView(r);
  return summary;
}

const stateKey: Record<string, string> = {
  ENVIRONMENT: 'environment',
  SERVICE_INSTANCE: 'serviceInstance',
  SERVICE_PIPELINE: 'servicePipeline',
  COMPONENT: 'component',
};

/** A deployment as ListDeployments shows it (DeploymentSummary: no states, no status message). */
export function deploymentSummaryView(d: DeploymentSummaryRecord): Record<string, unknown> {
  return {
    id: d.id,
    arn: d.arn,
    targetArn: d.targetArn,
    targetResourceType: d.target.kind,
    targetResourceCreatedAt: d.targetCreatedAt,
    environmentName: d.environmentName,
    serviceName:
      d.target.kind === 'ENVIRONMENT' || d.target.kind === 'COMPONENT'
        ? undefined
        : d.target.serviceName,
    serviceInstanceName: d.target.kind === 'SERVICE_INSTANCE' ? d.target.name : undefined,
    componentName: d.target.kind === 'COMPONENT' ? d.target.name : undefined,
    deploymentStatus: d.status,
    createdAt: d.createdAt,
    lastModifiedAt: d.lastModifiedAt,
    completedAt: d.completedAt ?? undefined,
    lastAttemptedDeploymentId: d.previousAttemptedId ?? undefined,
    lastSucceededDeploymentId: d.previousSucceededId ?? undefined,
  };
}

/** The Deployment shape (initial/target states as the DeploymentState union). */
export function deploymentView(d: DeploymentRecord): Record<string, unknown> {
  const key = stateKey[d.target.kind]!;
  return {
    ...deploymentSummaryView(d),
    deploymentStatusMessage: d.statusMessage ?? undefined,
    initialState: d.initialState ? { [key]: d.initialState } : undefined,
    targetState: { [key]: d.targetState },
  };
}
