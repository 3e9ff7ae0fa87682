import type { Action } from '@nucleon/core';
import { parseProtonArn } from '@nucleon/core';
import { extensionTargetPrefix, targetPrefix } from '@nucleon/protocol';
import { parseServiceSpec } from '@nucleon/templates';

type In = Record<string, unknown>;

/** Names a call touches, for grants; `service`, `instance` and `component` are looked up. */
export interface Touches {
  templates?: string[];
  environments?: string[];
  service?: string;
  instance?: { service: string; name: string };
  component?: string;
}

/**
 * What one operation needs. `action` null: any signed-in principal (GetCallerAccess).
 * `resource` is the resource path after the account (`service/web`), or `*` for the whole account.
 */
export interface AccessRule {
  action: Action | null | ((i: In) => Action);
  resource(i: In): string;
  touches?(i: In): Touches;
  /**
   * May principals of an account other than the installation's call it (ADR 0018)? Only
   * operations whose use case checks the caller's account against the resource's own.
   */
  anyAccount?: true;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const everything = () => '*';

/** Environment names listed under `instances` in a service spec (none if it does not parse: the use case refuses it). */
function specEnvironments(spec: unknown, only?: string): string[] {
  try {
    return parseServiceSpec(str(spec))
      .instances.filter((i) => only === undefined || i.name === only)
      .map((i) => i.environment);
  } catch {
    return [];
  }
}

const ARN_AREAS: Record<
  string,
  'templates' | 'environments' | 'services' | 'components' | 'repositories'
> = {
  'environment-template': 'templates',
  'service-template': 'templates',
  environment: 'environments',
  service: 'services',
  component: 'components',
  repository: 'repositories',
};

/** A tagged resource's area and the names it touches, from its ARN. */
function byArn(arn: unknown, mode: 'read' | 'write'): { action: Action; touches: Touches } {
  const parsed = parseProtonArn(str(arn));
  const area = parsed ? ARN_AREAS[parsed.resourceType] : undefined;
  if (!parsed || !area) return { action: `settings:${mode}`, touches: {} };
  const name = parsed.resource.split(/[/:]/)[0]!;
  if (area === 'templates')
    return { action: `templates:${mode}`, touches: mode === 'write' ? { templates: [name] } : {} };
  if (area === 'environments')
    return { action: `environments:${mode}`, touches: { environments: [name] } };
  if (area === 'services')
    return { action: `services:${mode}`, touches: mode === 'write' ? { service: name } : {} };
  if (area === 'components')
    return { action: `components:${mode}`, touches: mode === 'write' ? { component: name } : {} };
  return { action: `repositories:${mode}`, touches: {} };
}

const rules: Record<string, AccessRule> = {};
const proton = (name: string, rule: AccessRule) => (rules[`${targetPrefix}.${name}`] = rule);
const extension = (name: string, rule: AccessRule) =>
  (rules[`${extensionTargetPrefix}.${name}`] = rule);

// Templates and versions: read by every role; written by platform (narrowed by template grants).
for (const [label, type] of [
  ['Environment', 'environment-template'],
  ['Service', 'service-template'],
] as const) {
  const template = (i: In) => `${type}/${str(i.name)}`;
  const version = (i: In) =>
    `${type}/${str(i.templateName)}${i.majorVersion ? `:${str(i.majorVersion)}${i.minorVersion ? `.${str(i.minorVersion)}` : ''}` : ''}`;
  const touchName = (i: In) => ({ templates: [str(i.name)] });
  const touchTemplate = (i: In) => ({ templates: [str(i.templateName)] });
  proton(`Create${label}Template`, {
    action: 'templates:write',
    resource: template,
    touches: touchName,
  });
  proton(`Update${label}Template`, {
    action: 'templates:write',
    resource: template,
    touches: touchName,
  });
  proton(`Delete${label}Template`, {
    action: 'templates:write',
    resource: template,
    touches: touchName,
  });
  proton(`Get${label}Template`, { action: 'templates:read', resource: template });
  proton(`List${label}Templates`, { action: 'templates:read', resource: everything });
  proton(`Create${label}TemplateVersion`, {
    action: 'templates:write',
    resource: version,
    touches: touchTemplate,
  });
  proton(`Update${label}TemplateVersion`, {
    action: 'templates:write',
    resource: version,
    touches: touchTemplate,
  });
  proton(`Delete${label}TemplateVersion`, {
    action: 'templates:write',
    resource: version,
    touches: touchTemplate,
  });
  proton(`Get${label}TemplateVersion`, { action: 'templates:read', resource: version });
  proton(`List${label}TemplateVersions`, { action: 'templates:read', resource: version });
}

// Environments: platform writes; developers read the ones granted to them.
const environment = (key: string) => (i: In) => `environment/${str(i[key])}`;
const touchEnvironment = (key: string) => (i: In) => ({ environments: [str(i[key])] });
proton('CreateEnvironment', {
  action: 'environments:write',
  resource: environment('name'),
  touches: (i) => ({ environments: [str(i.name)], templates: [str(i.templateName)] }),
});
for (const op of ['UpdateEnvironment', 'DeleteEnvironment'])
  proton(op, {
    action: 'environments:write',
    resource: environment('name'),
    touches: touchEnvironment('name'),
  });
proton('GetEnvironment', {
  action: 'environments:read',
  resource: environment('name'),
  touches: touchEnvironment('name'),
});
proton('ListEnvironments', { action: 'environments:read', resource: everything });
proton('CancelEnvironmentDeployment', {
  action: 'environments:write',
  resource: environment('environmentName'),
  touches: touchEnvironment('environmentName'),
});
for (const op of ['ListEnvironmentOutputs', 'ListEnvironmentProvisionedResources']) {
  proton(op, {
    action: 'environments:read',
    resource: environment('environmentName'),
    touches: touchEnvironment('environmentName'),
  });
}
const connection = (i: In) => `environment-account-connection/${str(i.id)}`;
// Environment account connections: called from the environment (workload) account and the
// management account; the use case checks the caller's account against the connection's two.
proton('CreateEnvironmentAccountConnection', {
  action: 'environments:write',
  resource: environment('environmentName'),
  touches: touchEnvironment('environmentName'),
  anyAccount: true,
});
for (const op of [
  'AcceptEnvironmentAccountConnection',
  'RejectEnvironmentAccountConnection',
  'UpdateEnvironmentAccountConnection',
  'DeleteEnvironmentAccountConnection',
]) {
  proton(op, { action: 'environments:write', resource: connection, anyAccount: true });
}
proton('GetEnvironmentAccountConnection', {
  action: 'environments:read',
  resource: connection,
  anyAccount: true,
});
proton('ListEnvironmentAccountConnections', {
  action: 'environments:read',
  resource: everything,
  anyAccount: true,
});

// Services, instances, pipelines: developers write them from granted templates into granted environments.
const service = (key: string) => (i: In) => `service/${str(i[key])}`;
const instance = (i: In) =>
  `service/${str(i.serviceName)}/service-instance/${str(i.serviceInstanceName ?? i.name)}`;
const pipeline = (i: In) => `service/${str(i.serviceName)}/pipeline`;
proton('CreateService', {
  action: 'services:write',
  resource: service('name'),
  touches: (i) => ({ templates: [str(i.templateName)], environments: specEnvironments(i.spec) }),
});
proton('UpdateService', {
  action: 'services:write',
  resource: service('name'),
  touches: (i) => ({
    service: str(i.name),
    environments: i.spec === undefined ? [] : specEnvironments(i.spec),
  }),
});
proton('DeleteService', {
  action: 'services:write',
  resource: service('name'),
  touches: (i) => ({ service: str(i.name) }),
});
proton('GetService', { action: 'services:read', resource: service('name') });
proton('ListServices', { action: 'services:read', resource: everything });
proton('CreateServiceInstance', {
  action: 'services:write',
  resource: instance,
  touches: (i) => ({
    service: str(i.serviceName),
    environments: specEnvironments(i.spec, str(i.name)),
  }),
});
for (const op of ['UpdateServiceInstance', 'CancelServiceInstanceDeployment']) {
  proton(op, {
    action: 'services:write',
    resource: instance,
    touches: (i) => ({
      instance: { service: str(i.serviceName), name: str(i.serviceInstanceName ?? i.name) },
    }),
  });
}
for (const op of [
  'GetServiceInstance',
  'ListServiceInstanceOutputs',
  'ListServiceInstanceProvisionedResources',
])
  proton(op, { action: 'services:read', resource: instance });
proton('ListServiceInstances', { action: 'services:read', resource: everything });
for (const op of ['UpdateServicePipeline', 'CancelServicePipelineDeployment']) {
  proton(op, {
    action: 'services:write',
    resource: pipeline,
    touches: (i) => ({ service: str(i.serviceName) }),
  });
}
for (const op of ['ListServicePipelineOutputs', 'ListServicePipelineProvisionedResources'])
  proton(op, { action: 'services:read', resource: pipeline });

// Components: attached to a granted environment (directly or through a service instance).
const component = (key: string) => (i: In) => `component/${str(i[key])}`;
proton('CreateComponent', {
  action: 'components:write',
  resource: component('name'),
  touches: (i) =>
    i.environmentName
      ? { environments: [str(i.environmentName)] }
      : { instance: { service: str(i.serviceName), name: str(i.serviceInstanceName) } },
});
for (const op of ['UpdateComponent', 'DeleteComponent'])
  proton(op, {
    action: 'components:write',
    resource: component('name'),
    touches: (i) => ({ component: str(i.name) }),
  });
proton('CancelComponentDeployment', {
  action: 'components:write',
  resource: component('componentName'),
  touches: (i) => ({ component: str(i.componentName) }),
});
proton('GetComponent', { action: 'components:read', resource: component('name') });
proton('ListComponents', { action: 'components:read', resource: everything });
for (const op of ['ListComponentOutputs', 'ListComponentProvisionedResources'])
  proton(op, { action: 'components:read', resource: component('componentName') });

// Deployments, repositories, sync, settings, tags.
const deployment = (i: In) => `deployment/${str(i.id)}`;
proton('GetDeployment', { action: 'deployments:read', resource: deployment });
proton('ListDeployments', { action: 'deployments:read', resource: everything });
proton('DeleteDeployment', { action: 'deployments:write', resource: deployment });
proton('GetResourcesSummary', { action: 'deployments:read', resource: everything });
proton('NotifyResourceDeploymentStatusChange', {
  action: 'deployments:write',
  resource: (i) => str(i.resourceArn) || '*',
});
const repository = (i: In) => `repository/${str(i.provider)}:${str(i.name)}`;
for (const op of ['CreateRepository', 'DeleteRepository'])
  proton(op, { action: 'repositories:write', resource: repository });
proton('GetRepository', { action: 'repositories:read', resource: repository });
proton('ListRepositories', { action: 'repositories:read', resource: everything });
const syncedTemplate = (i: In) =>
  `${str(i.templateType) === 'SERVICE' ? 'service' : 'environment'}-template/${str(i.templateName)}`;
for (const op of [
  'CreateTemplateSyncConfig',
  'UpdateTemplateSyncConfig',
  'DeleteTemplateSyncConfig',
]) {
  proton(op, {
    action: 'sync:write',
    resource: syncedTemplate,
    touches: (i) => ({ templates: [str(i.templateName)] }),
  });
}
for (const op of ['GetTemplateSyncConfig', 'GetTemplateSyncStatus'])
  proton(op, { action: 'sync:read', resource: syncedTemplate });
for (const op of ['CreateServiceSyncConfig', 'UpdateServiceSyncConfig', 'DeleteServiceSyncConfig'])
  proton(op, { action: 'sync:write', resource: service('serviceName') });
proton('UpdateServiceSyncBlocker', {
  action: 'sync:write',
  resource: (i) => `service-sync-blocker/${str(i.id)}`,
});
for (const op of ['GetServiceSyncConfig', 'GetServiceSyncBlockerSummary'])
  proton(op, { action: 'sync:read', resource: service('serviceName') });
proton('GetServiceInstanceSyncStatus', { action: 'sync:read', resource: instance });
proton('GetRepositorySyncStatus', {
  action: 'sync:read',
  resource: (i) => `repository/${str(i.repositoryProvider)}:${str(i.repositoryName)}`,
});
proton('ListRepositorySyncDefinitions', {
  action: 'sync:read',
  resource: (i) => `repository/${str(i.repositoryProvider)}:${str(i.repositoryName)}`,
});
proton('GetAccountSettings', { action: 'settings:read', resource: everything });
proton('UpdateAccountSettings', { action: 'settings:write', resource: everything });
proton('TagResource', {
  action: (i) => byArn(i.resourceArn, 'write').action,
  resource: (i) => str(i.resourceArn),
  touches: (i) => byArn(i.resourceArn, 'write').touches,
});
proton('UntagResource', {
  action: (i) => byArn(i.resourceArn, 'write').action,
  resource: (i) => str(i.resourceArn),
  touches: (i) => byArn(i.resourceArn, 'write').touches,
});
proton('ListTagsForResource', {
  action: (i) => byArn(i.resourceArn, 'read').action,
  resource: (i) => str(i.resourceArn),
  touches: (i) => byArn(i.resourceArn, 'read').touches,
});

// Nucleon's extension operations.
extension('PutBundle', { action: 'templates:write', resource: (i) => `bundle/${str(i.key)}` });
extension('SetRepositoryRemote', { action: 'repositories:write', resource: repository });
extension('SetRepositoryWebhook', { action: 'repositories:write', resource: repository });
extension('GetRepositoryWebhook', { action: 'repositories:read', resource: repository });
extension('GetDeploymentDetails', { action: 'deployments:read', resource: deployment });
// Fleet operations (ADR 0019): a rollout deploys many teams' instances, so it is the platform's
// deployments:write (narrowed by template grants), not a developer's services:write. The
// resource is the environment template's when templateType says ENVIRONMENT (ADR 0031).
const rolloutTemplate = (i: In) =>
  `${str(i.templateType) === 'ENVIRONMENT' ? 'environment' : 'service'}-template/${str(i.templateName)}`;
extension('StartRollout', {
  action: 'deployments:write',
  resource: rolloutTemplate,
  touches: (i) => ({
    templates: [str(i.templateName)],
    ...(Array.isArray((i.selector as In | undefined)?.environments)
      ? { environments: ((i.selector as In).environments as unknown[]).map(str) }
      : {}),
  }),
});
// A preview creates and deletes change sets but changes nothing; it needs what a rollout needs.
extension('PreviewRollout', {
  action: 'deployments:write',
  resource: rolloutTemplate,
  touches: (i) => ({ templates: [str(i.templateName)] }),
});
extension('GetDriftReport', { action: 'deployments:read', resource: everything });
// Accepting drift decides a resource need not be redeployed to converge: the fleet's
// deployments:write, like the rollouts that redeploy it; the resource (so the audit entry) is
// the environment's or the instance's.
extension('AcceptDrift', {
  action: 'deployments:write',
  resource: (i) =>
    i.environmentName !== undefined ? `environment/${str(i.environmentName)}` : instance(i),
  touches: (i) =>
    i.environmentName !== undefined
      ? { environments: [str(i.environmentName)] }
      : { instance: { service: str(i.serviceName), name: str(i.serviceInstanceName) } },
});
extension('GetVersionCurrency', { action: 'deployments:read', resource: everything });
const rollout = (i: In) => `nucleon-rollout/${str(i.rolloutId)}`;
for (const op of ['PauseRollout', 'ResumeRollout', 'AbortRollout'])
  extension(op, { action: 'deployments:write', resource: rollout });
extension('GetRollout', { action: 'deployments:read', resource: rollout });
extension('ListRollouts', { action: 'deployments:read', resource: everything });
// Events (ADR 0023): a subscriber sees every team's status changes, so subscriptions are the
// admins' (access:write to change them, access:read to list them and their deliveries).
const subscription = (i: In) => `nucleon-event-subscription/${str(i.id)}`;
extension('CreateEventSubscription', { action: 'access:write', resource: everything });
extension('DeleteEventSubscription', { action: 'access:write', resource: subscription });
extension('ListEventSubscriptions', { action: 'access:read', resource: everything });
extension('ListEventDeliveries', { action: 'access:read', resource: everything });
// Importing from AWS Proton takes over running infrastructure: admins only (access:write is
// the only write no other role has). Match is read-only but sends stack templates: admins too.
extension('DiscoverProtonResources', { action: 'access:write', resource: everything });
extension('MatchProtonResource', { action: 'access:write', resource: everything });
extension('AdoptProtonResource', { action: 'access:write', resource: everything });
const key = (i: In) => `nucleon-access-key/${str(i.accessKeyId)}`;
const user = (i: In) => `nucleon-user/${str(i.userName)}`;
extension('CreateAccessKey', {
  action: 'access:write',
  resource: (i) => (i.userName ? user(i) : 'nucleon-access-key/*'),
});
extension('ListAccessKeys', { action: 'access:read', resource: everything });
extension('DeleteAccessKey', { action: 'access:write', resource: key });
for (const op of ['CreateUser', 'DeleteUser', 'AddGrant', 'RemoveGrant'])
  extension(op, { action: 'access:write', resource: user });
extension('ListUsers', { action: 'access:read', resource: everything });
extension('ListGrants', { action: 'access:read', resource: (i) => (i.userName ? user(i) : '*') });
extension('GetCallerAccess', { action: null, resource: everything, anyAccount: true });
extension('ListAuditEvents', { action: 'audit:read', resource: everything });
// A backup holds every resource and every sealed secret: admins only (ADR 0027).
extension('ExportBackup', { action: 'access:write', resource: everything });

/** The one table: every operation, Proton's (implemented or not) and Nucleon's, with what it needs. */
export const operationAccess: Readonly<Record<string, AccessRule>> = rules;
