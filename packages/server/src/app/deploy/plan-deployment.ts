import { randomUUID } from 'node:crypto';
import { protonArn, type ArnScope } from '@nucleon/core';
import type {
  DeploymentOperation,
  DeploymentRecord,
  ResourceRecord,
  StartDeployment,
} from '../../ports/deployment-store.js';
import { describeInputWarnings, inputWarningsOf } from './input-warnings.js';

export const DEPLOY_QUEUE = 'deploy';

/** What a deployment moves a resource to. */
export interface DeploymentTarget {
  templateMajor: number;
  templateMinor: number;
  spec: string | null;
  settings: Record<string, unknown>;
}

function state(r: {
  kind: string;
  templateName: string;
  templateMajor: number;
  templateMinor: number;
  spec: string | null;
  settings: Record<string, unknown>;
}): Record<string, unknown> {
  if (r.kind === 'COMPONENT') {
    return {
      templateFile: r.settings.templateFile,
      serviceSpec: r.spec ?? undefined,
      serviceName: r.settings.serviceName ?? '',
      serviceInstanceName: r.settings.serviceInstanceName ?? '',
    };
  }
  return {
    templateName: r.templateName,
    templateMajorVersion: String(r.templateMajor),
    templateMinorVersion: String(r.templateMinor),
    spec: r.spec ?? '',
  };
}

/**
 * Builds the next deployment of a resource: the resource as it will look while the deployment
 * runs, the deployment record with initial and target state, and its job — to be stored in one
 * transaction.
 */
export function planDeployment(options: {
  arnScope: ArnScope;
  now: Date;
  /** The resource as it is now; absent when it is being created. */
  current: ResourceRecord | undefined;
  /** The resource as it will be (for a create, the complete new record). */
  next: Omit<
    ResourceRecord,
    | 'deploymentStatus'
    | 'deploymentStatusMessage'
    | 'lastAttemptedDeploymentId'
    | 'lastDeploymentAttemptedAt'
    | 'lastDeploymentSucceededAt'
  > & {
    lastDeploymentSucceededAt?: Date;
  };
  operation: DeploymentOperation;
  engine: string;
  maxAttempts?: number;
}): StartDeployment {
  const { current, next, now } = options;
  const id = randomUUID();
  // A deployment starts with the spec's warnings (undeclared inputs) as its message, so the
  // create/update response already shows them; the runner logs them and ends with them too.
  const warning =
    options.operation === 'DELETE' ? null : describeInputWarnings(inputWarningsOf(next.settings));
  const resource: ResourceRecord = {
    ...next,
    deploymentStatus: options.operation === 'DELETE' ? 'DELETE_IN_PROGRESS' : 'IN_PROGRESS',
    deploymentStatusMessage: warning,
    lastAttemptedDeploymentId: id,
    lastDeploymentAttemptedAt: now,
    lastDeploymentSucceededAt:
      next.lastDeploymentSucceededAt ?? current?.lastDeploymentSucceededAt ?? now,
    lastSucceededDeploymentId: current?.lastSucceededDeploymentId ?? null,
  };
  const deployment: DeploymentRecord = {
    id,
    arn: protonArn(options.arnScope, `deployment/${id}`),
    target: { kind: next.kind, serviceName: next.serviceName, name: next.name },
    targetArn: next.arn,
    targetCreatedAt: next.createdAt,
    environmentName: next.kind === 'ENVIRONMENT' ? next.name : (next.environmentName ?? ''),
    operation: options.operation,
    engine: options.engine,
    status: resource.deploymentStatus,
    statusMessage: warning,
    cancelRequested: false,
    initialState: current ? state(current) : null,
    targetState: state(next),
    rendered: null,
    outputs: null,
    provisionedResources: null,
    previousAttemptedId: current?.lastAttemptedDeploymentId ?? null,
    previousSucceededId: current?.lastSucceededDeploymentId ?? null,
    createdAt: now,
    lastModifiedAt: now,
    completedAt: null,
  };
  return {
    resource,
    deployment,
    job: {
      queue: DEPLOY_QUEUE,
      payload: { deploymentId: id },
      maxAttempts: options.maxAttempts ?? 3,
    },
  };
}
