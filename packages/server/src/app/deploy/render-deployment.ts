import {
  componentContext,
  deploymentMetadataJson,
  environmentContext,
  parseTerraformFiles,
  pipelineContext,
  protonInputsJson,
  serviceInstanceContext,
  terraformTfvarsJson,
  terraformVariablesFileName,
  terraformVariablesTf,
  type CodeBuildResource,
  type TerraformResource,
  type EnvironmentRef,
  type ServiceRef,
} from '@nucleon/templates';
import { parseProtonArn, protonArn } from '@nucleon/core';
import type {
  DeploymentStore,
  ResourceRecord,
  ServiceRecord,
} from '../../ports/deployment-store.js';
import type {
  InfrastructureFolder,
  LoadedBundle,
  TemplateRenderer,
} from '../../ports/version-bundles.js';

export interface RenderedDeployment {
  folder: InfrastructureFolder;
  /** Files for the engine, relative to its working folder. */
  files: Map<string, Uint8Array | string>;
  /** What users can see: rendered and generated text files. */
  visible: Record<string, string>;
  templateFile?: string;
}

async function outputsOf(
  store: DeploymentStore,
  r: ResourceRecord | undefined,
): Promise<Record<string, string>> {
  if (!r?.lastSucceededDeploymentId) return {};
  return (await store.getDeployment(r.lastSucceededDeploymentId))?.outputs ?? {};
}

async function environmentRef(
  store: DeploymentStore,
  name: string,
  accountId: string,
): Promise<EnvironmentRef> {
  const env = await store.getResource({ kind: 'ENVIRONMENT', serviceName: '', name });
  // An environment provisioned through an account connection lives in the environment account.
  const account = env?.settings.environmentAccountId;
  return {
    name,
    account_id: typeof account === 'string' ? account : accountId,
    outputs: await outputsOf(store, env),
  };
}

function serviceRef(svc: ServiceRecord): ServiceRef {
  return {
    name: svc.name,
    ...(svc.repositoryId ? { repository_id: svc.repositoryId } : {}),
    ...(svc.repositoryConnectionArn
      ? { repository_connection_arn: svc.repositoryConnectionArn }
      : {}),
    ...(svc.branchName ? { branch_name: svc.branchName } : {}),
  };
}

/** The render context and proton-inputs.json document for one resource, Proton's namespaces. */
export async function contextFor(
  store: DeploymentStore,
  r: ResourceRecord,
  accountId: string,
): Promise<{ context: Record<string, unknown>; codebuild: CodeBuildResource }> {
  const inputs = (r.settings.inputs as Record<string, unknown>) ?? {};
  if (r.kind === 'COMPONENT') {
    const environment = await environmentRef(store, r.environmentName ?? '', accountId);
    const svc = typeof r.settings.serviceName === 'string' ? r.settings.serviceName : undefined;
    const inst =
      typeof r.settings.serviceInstanceName === 'string'
        ? r.settings.serviceInstanceName
        : undefined;
    const context = componentContext({
      component: { name: r.name },
      environment,
      ...(svc ? { service: { name: svc } } : {}),
      ...(inst ? { instance: { name: inst, inputs } } : {}),
    });
    return { context, codebuild: { kind: 'environment', name: r.name, inputs } };
  }
  if (r.kind === 'ENVIRONMENT') {
    return {
      context: environmentContext({ name: r.name, inputs }),
      codebuild: { kind: 'environment', name: r.name, inputs },
    };
  }
  const svc = await store.getService(r.serviceName);
  if (!svc) throw new Error(`service ${r.serviceName} is missing`);
  if (r.kind === 'SERVICE_INSTANCE') {
    const environment = await environmentRef(store, r.environmentName ?? '', accountId);
    const args = { environment, service: serviceRef(svc), instance: { name: r.name, inputs } };
    const attached = (await store.listResources({ kind: 'COMPONENT' })).find(
      (c) => c.settings.serviceName === r.serviceName && c.settings.serviceInstanceName === r.name,
    );
    const components = attached
      ? { default: { name: attached.name, outputs: await outputsOf(store, attached) } }
      : undefined;
    return {
      context: serviceInstanceContext({ ...args, ...(components ? { components } : {}) }),
      codebuild: { kind: 'service_instance', ...args },
    };
  }
  const instances = await store.listResources({
    kind: 'SERVICE_INSTANCE',
    serviceName: r.serviceName,
  });
  const list = await Promise.all(
    instances
      .filter((i) => i.deploymentStatus !== 'DELETE_IN_PROGRESS')
      .map(async (i) => ({
        name: i.name,
        inputs: (i.settings.inputs as Record<string, unknown>) ?? {},
        outputs: await outputsOf(store, i),
        environment: await environmentRef(store, i.environmentName ?? '', accountId),
      })),
  );
  const args = { service: serviceRef(svc), pipelineInputs: inputs, instances: list };
  return { context: pipelineContext(args), codebuild: { kind: 'pipeline', ...args } };
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/**
 * Everything the engine receives for a resource: the rendered CloudFormation template, or the
 * infrastructure folder plus proton-inputs.json for CodeBuild. Developer values are data in the
 * context, never template source.
 */
export async function renderDeployment(options: {
  store: DeploymentStore;
  renderer: TemplateRenderer;
  bundle: LoadedBundle;
  resource: ResourceRecord;
  accountId: string;
  deployment: { id: string; operation: 'DEPLOY' | 'DELETE' };
  templateArn: string;
  environmentArn?: string | undefined;
}): Promise<RenderedDeployment> {
  const { bundle, resource } = options;
  const folder =
    resource.kind === 'ENVIRONMENT' || resource.kind === 'COMPONENT'
      ? bundle.environment
      : resource.kind === 'SERVICE_INSTANCE'
        ? bundle.instance
        : bundle.pipeline;
  if (!folder)
    throw new Error(
      `the template version has no infrastructure for ${resource.kind.toLowerCase()}`,
    );
  const { context, codebuild } = await contextFor(options.store, resource, options.accountId);
  const files = new Map<string, Uint8Array | string>();
  const visible: Record<string, string> = {};
  const prefix = `${folder.directory}/`;
  if (folder.engine === 'cloudformation') {
    const file = folder.files[0]!;
    const rendered = await options.renderer.render(text(bundle.files.get(file)!), context, file);
    const name = file.slice(prefix.length);
    files.set(name, rendered);
    visible[name] = rendered;
    return { folder, files, visible, templateFile: name };
  }
  if (folder.engine === 'terraform')
    return renderTerraform(options, folder, codebuild, files, visible);
  for (const [path, data] of bundle.files) {
    if (path.startsWith(prefix) && path !== `${prefix}manifest.yaml`)
      files.set(path.slice(prefix.length), data);
  }
  const inputsJson = protonInputsJson(codebuild);
  files.set('proton-inputs.json', inputsJson);
  visible['proton-inputs.json'] = inputsJson;
  return { folder, files, visible };
}

/**
 * The `proton_tags` Proton passed to Terraform (spec §9.7): the account id, then the ARNs of the
 * template, environment, service, service instance and component the resource belongs to.
 */
export function protonTags(
  r: ResourceRecord,
  accountId: string,
  templateArn: string,
  environmentArn: string | undefined,
): Record<string, string> {
  const scope = parseProtonArn(r.arn);
  const arn = (path: string) => (scope ? protonArn(scope, path) : path);
  const serviceName =
    r.kind === 'COMPONENT'
      ? typeof r.settings.serviceName === 'string'
        ? r.settings.serviceName
        : undefined
      : r.serviceName || undefined;
  const instanceName =
    r.kind === 'SERVICE_INSTANCE'
      ? r.name
      : r.kind === 'COMPONENT' && typeof r.settings.serviceInstanceName === 'string'
        ? r.settings.serviceInstanceName
        : undefined;
  return {
    'proton:account': accountId,
    ...(r.kind === 'COMPONENT' ? {} : { 'proton:template': templateArn }),
    ...(r.environmentName
      ? { 'proton:environment': environmentArn ?? arn(`environment/${r.environmentName}`) }
      : {}),
    ...(serviceName ? { 'proton:service': arn(`service/${serviceName}`) } : {}),
    ...(serviceName && instanceName
      ? {
          'proton:service-instance': arn(`service/${serviceName}/service-instance/${instanceName}`),
        }
      : {}),
    ...(r.kind === 'COMPONENT' ? { 'proton:component': r.arn } : {}),
  };
}

/** Terraform (self-managed): the bundle's .tf files plus the files Proton generated (spec §5.3). */
async function renderTerraform(
  options: Parameters<typeof renderDeployment>[0],
  folder: InfrastructureFolder,
  resource: CodeBuildResource,
  files: Map<string, Uint8Array | string>,
  visible: Record<string, string>,
): Promise<RenderedDeployment> {
  const prefix = `${folder.directory}/`;
  const tf: Record<string, string> = {};
  for (const path of folder.files)
    tf[path.slice(prefix.length)] = text(options.bundle.files.get(path)!);
  await parseTerraformFiles(tf);
  const r = options.resource;
  const tfResource: TerraformResource =
    r.kind === 'COMPONENT'
      ? {
          kind: 'component',
          component: { name: r.name },
          environment: await environmentRef(
            options.store,
            r.environmentName ?? '',
            options.accountId,
          ),
          ...(typeof r.settings.serviceName === 'string'
            ? { service: { name: r.settings.serviceName } }
            : {}),
          ...(typeof r.settings.serviceInstanceName === 'string'
            ? {
                instance: {
                  name: r.settings.serviceInstanceName,
                  inputs: (r.settings.inputs as Record<string, unknown>) ?? {},
                },
              }
            : {}),
        }
      : resource;
  const kind = tfResource.kind;
  // Proton named the template here, not the version: `…:environment-template/<name>`.
  const templateArn = options.templateArn.replace(/:\d+\.\d+$/, '');
  const generated: Record<string, string> = {
    ...tf,
    [terraformVariablesFileName(kind)]: terraformVariablesTf(kind, r.arn),
    'proton.auto.tfvars.json': terraformTfvarsJson(tfResource, {
      resourceArn: r.arn,
      protonTags: protonTags(r, options.accountId, templateArn, options.environmentArn),
    }),
    '.proton/deployment-metadata.json': deploymentMetadataJson({
      deploymentId: options.deployment.id,
      ...(r.kind === 'COMPONENT' ? { component: true } : {}),
      isResourceDeleted: options.deployment.operation === 'DELETE',
      arn: r.arn,
      templateArn,
      templateMajorVersion: String(r.templateMajor),
      templateMinorVersion: String(r.templateMinor),
      ...(r.kind !== 'ENVIRONMENT' && options.environmentArn
        ? { environmentArn: options.environmentArn }
        : {}),
    }),
  };
  for (const [name, content] of Object.entries(generated)) {
    files.set(name, content);
    visible[name] = content;
  }
  return { folder, files, visible };
}
