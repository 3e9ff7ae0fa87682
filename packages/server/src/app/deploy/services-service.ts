import {
  ConflictError,
  NotFoundError,
  ValidationError,
  isServiceBusy,
  parseVersionPart,
  protonArn,
  settledServiceStatuses,
} from '@nucleon/core';
import { parseServiceSpec, type ServiceInstanceSpec, type ServiceSpec } from '@nucleon/templates';
import type {
  ResourceRecord,
  ServiceRecord,
  StartDeployment,
} from '../../ports/deployment-store.js';
import type { LoadedBundle } from '../../ports/version-bundles.js';
import { Pager } from '../pagination.js';
import { checkInputs, requireIdle, versionForCreate, type DeployDeps } from './deploy-context.js';
import { engineOf } from './engine-of.js';
import { planDelete } from './plan-delete.js';
import { planDeployment } from './plan-deployment.js';
import { reserveProvisioningFolder } from './provisioning-folders.js';
import { serviceSummaryView, serviceView } from './resource-views.js';
import { withInputWarnings } from './input-warnings.js';

const MAX_INSTANCES = 20;

export function parseSpec(spec: string): ServiceSpec {
  try {
    return parseServiceSpec(spec);
  } catch (error) {
    throw new ValidationError(`spec: ${(error as Error).message}`);
  }
}

/** Services: create with instances and pipeline, update (add/remove instances), delete. */
export class ServicesService {
  constructor(private readonly d: DeployDeps) {}

  async require(name: string): Promise<ServiceRecord> {
    const svc = await this.d.store.getService(name);
    if (!svc)
      throw new NotFoundError(
        `The service ${name} does not exist. List services to see the names.`,
      );
    return svc;
  }

  pipelineOf(name: string) {
    return this.d.store.getResource({
      kind: 'SERVICE_PIPELINE',
      serviceName: name,
      name: 'pipeline',
    });
  }

  /** Plans one new instance: its environment must exist and be built from a compatible template. */
  async planInstance(
    svc: { name: string; templateName: string },
    spec: ServiceInstanceSpec,
    specText: string,
    version: { major: number; minor: number; bundle: LoadedBundle },
    now: Date,
    extra: Record<string, unknown> = {},
  ): Promise<StartDeployment> {
    const env = await this.d.store.getResource({
      kind: 'ENVIRONMENT',
      serviceName: '',
      name: spec.environment,
    });
    if (!env)
      throw new ValidationError(
        `instance ${spec.name}: the environment ${spec.environment} does not exist.`,
      );
    if (env.deploymentStatus !== 'SUCCEEDED' && !env.lastSucceededDeploymentId) {
      throw new ValidationError(
        `instance ${spec.name}: the environment ${spec.environment} has not been deployed successfully yet (${env.deploymentStatus}).`,
      );
    }
    const tv = await this.d.catalog.getVersion(
      'SERVICE',
      svc.templateName,
      version.major,
      version.minor,
    );
    const compatible = tv?.compatibleEnvironmentTemplates ?? [];
    if (
      !compatible.some(
        (c) => c.templateName === env.templateName && Number(c.majorVersion) === env.templateMajor,
      )
    ) {
      throw new ValidationError(
        `instance ${spec.name}: the environment ${spec.environment} uses ${env.templateName} major version ${env.templateMajor}, which ${svc.templateName}:${version.major}.${version.minor} does not list as compatible (${compatible.map((c) => `${c.templateName}:${c.majorVersion}`).join(', ') || 'none'}).`,
      );
    }
    const { inputs, warnings } = checkInputs(
      version.bundle,
      'service',
      spec.spec,
      `spec.instances[${spec.name}]`,
    );
    const arn = protonArn(this.d.arnScope, `service/${svc.name}/service-instance/${spec.name}`);
    const folder = await reserveProvisioningFolder(this.d, env, {
      kind: 'SERVICE_INSTANCE',
      serviceName: svc.name,
      name: spec.name,
      environmentName: spec.environment,
      arn,
    });
    return planDeployment({
      arnScope: this.d.arnScope,
      now,
      current: undefined,
      next: {
        kind: 'SERVICE_INSTANCE',
        serviceName: svc.name,
        name: spec.name,
        arn,
        environmentName: spec.environment,
        templateName: svc.templateName,
        templateMajor: version.major,
        templateMinor: version.minor,
        spec: specText,
        settings: withInputWarnings({ inputs, ...extra }, [...(spec.warnings ?? []), ...warnings]),
        lastSucceededDeploymentId: null,
        createdAt: now,
        provisioningFolder: folder,
      },
      operation: 'DEPLOY',
      engine: engineOf(version.bundle.instance, env.settings, this.d.terraformCli),
    });
  }

  async create(input: {
    name: string;
    templateName: string;
    templateMajorVersion: string;
    templateMinorVersion?: string;
    spec: string;
    description?: string;
    repositoryConnectionArn?: string;
    repositoryId?: string;
    branchName?: string;
    tags?: Array<{ key: string; value: string }>;
  }) {
    const template = await this.d.catalog.getTemplate('SERVICE', input.templateName);
    const version = await versionForCreate(
      this.d,
      'SERVICE',
      input.templateName,
      parseVersionPart(input.templateMajorVersion),
      input.templateMinorVersion === undefined
        ? undefined
        : parseVersionPart(input.templateMinorVersion),
    );
    const spec = parseSpec(input.spec);
    const hasPipeline =
      template?.provisioning !== 'CUSTOMER_MANAGED' && version.bundle.pipeline !== undefined;
    if (spec.instances.length === 0)
      throw new ValidationError('spec: a service needs at least one instance under "instances".');
    if (spec.instances.length > MAX_INSTANCES)
      throw new ValidationError(`spec: a service may have at most ${MAX_INSTANCES} instances.`);
    if (!hasPipeline && spec.pipeline)
      throw new ValidationError(
        'spec: the service template has no pipeline, so the spec may not have a "pipeline" section.',
      );
    if (hasPipeline && !(input.repositoryId && input.branchName)) {
      throw new ValidationError(
        'The service template includes a pipeline: give repositoryId and branchName (and repositoryConnectionArn) for the pipeline to build from.',
      );
    }
    const now = this.d.clock.now();
    const svc: ServiceRecord = {
      name: input.name,
      arn: protonArn(this.d.arnScope, `service/${input.name}`),
      templateName: input.templateName,
      description: input.description ?? null,
      spec: input.spec,
      status: 'CREATE_IN_PROGRESS',
      statusMessage: null,
      repositoryConnectionArn: input.repositoryConnectionArn ?? null,
      repositoryId: input.repositoryId ?? null,
      branchName: input.branchName ?? null,
      createdAt: now,
      lastModifiedAt: now,
    };
    const starts: StartDeployment[] = [];
    for (const inst of spec.instances)
      starts.push(await this.planInstance(svc, inst, input.spec, version, now));
    if (hasPipeline)
      starts.push(this.planPipeline(svc, input.spec, spec.pipeline ?? {}, version, now, undefined));
    // Proton answers ConflictException for a name in use, after the request itself is checked.
    if (await this.d.store.getService(input.name)) {
      throw new ConflictError(
        `A service named ${input.name} already exists. Choose another name, or change it with UpdateService.`,
      );
    }
    if (!(await this.d.store.createResources({ service: svc, starts }))) {
      throw new ConflictError(
        `A service named ${input.name} (or one of its instances) was created at the same time.`,
      );
    }
    if (input.tags?.length) await this.d.catalog.putTags(svc.arn, input.tags);
    this.d.poke();
    return serviceView(svc, starts.find((s) => s.resource.kind === 'SERVICE_PIPELINE')?.resource);
  }

  planPipeline(
    svc: { name: string; templateName: string },
    specText: string,
    pipelineInputs: Record<string, unknown>,
    version: { major: number; minor: number; bundle: LoadedBundle },
    now: Date,
    current: ResourceRecord | undefined,
  ): StartDeployment {
    const { inputs, warnings } = checkInputs(
      version.bundle,
      'pipeline',
      pipelineInputs,
      'spec.pipeline',
    );
    const next = current
      ? {
          ...current,
          templateMajor: version.major,
          templateMinor: version.minor,
          spec: specText,
          settings: withInputWarnings({ ...current.settings, inputs }, warnings),
        }
      : {
          kind: 'SERVICE_PIPELINE' as const,
          serviceName: svc.name,
          name: 'pipeline',
          arn: protonArn(this.d.arnScope, `service/${svc.name}/pipeline`),
          environmentName: null,
          templateName: svc.templateName,
          templateMajor: version.major,
          templateMinor: version.minor,
          spec: specText,
          settings: withInputWarnings({ inputs }, warnings),
          lastSucceededDeploymentId: null,
          createdAt: now,
        };
    // The pipeline is provisioned the way the first instance's environment provisions.
    return planDeployment({
      arnScope: this.d.arnScope,
      now,
      current,
      next,
      operation: 'DEPLOY',
      engine:
        version.bundle.pipeline?.engine === 'terraform'
          ? 'terraform'
          : (version.bundle.pipeline?.engine ?? 'none'),
    });
  }

  async get(name: string) {
    return serviceView(await this.require(name), await this.pipelineOf(name));
  }

  async list(input: { nextToken?: string; maxResults?: number }) {
    const pager = new Pager('ListServices', {}, input);
    const rows = await this.d.store.pageServices(pager.window);
    const page = pager.page(rows, (s) => s.name);
    return {
      services: page.items.map(serviceSummaryView),
      nextToken: page.nextToken,
    };
  }

  /**
   * Adds the instances the new spec lists and deletes the ones it omits; existing ones stay as
   * they are. One transaction sets UPDATE_IN_PROGRESS (only from a settled status, so of two
   * simultaneous updates exactly one wins) together with the new instances, the deletions and
   * their jobs.
   */
  async update(input: { name: string; description?: string; spec?: string }) {
    const svc = await this.require(input.name);
    const busy = () =>
      new ConflictError(
        `The service ${svc.name} changed while this update was prepared: another update or a deletion started, or one of its instances has a deployment in progress. Wait for it to finish, then try again.`,
      );
    if (isServiceBusy(svc.status))
      throw new ConflictError(
        `The service ${svc.name} is ${svc.status}. Wait for it to finish, then try again.`,
      );
    const now = this.d.clock.now();
    if (input.spec === undefined) {
      const patch = {
        name: svc.name,
        description: input.description ?? svc.description,
        lastModifiedAt: now,
        from: settledServiceStatuses(),
      };
      if (!(await this.d.store.startDeployments([], patch))) throw busy();
      return this.get(svc.name);
    }
    const spec = parseSpec(input.spec);
    if (spec.instances.length === 0 || spec.instances.length > MAX_INSTANCES)
      throw new ValidationError(`spec: a service needs 1 to ${MAX_INSTANCES} instances.`);
    const current = await this.d.store.listResources({
      kind: 'SERVICE_INSTANCE',
      serviceName: svc.name,
    });
    const added = spec.instances.filter((i) => !current.some((c) => c.name === i.name));
    const removed = current.filter((c) => !spec.instances.some((i) => i.name === c.name));
    const creates: StartDeployment[] = [];
    const deletes: StartDeployment[] = [];
    const reference = current[0];
    for (const inst of added) {
      const version = await versionForCreate(
        this.d,
        'SERVICE',
        svc.templateName,
        reference?.templateMajor ?? 1,
        reference?.templateMinor,
      );
      creates.push(await this.planInstance(svc, inst, input.spec, version, now));
    }
    for (const r of removed) {
      requireIdle(r, `The service instance ${r.name}`);
      deletes.push(await planDelete(this.d, r, now));
    }
    const changes = creates.length + deletes.length > 0;
    const pipeline = changes && (await this.pipelineOf(svc.name)) !== undefined;
    const patch = {
      name: svc.name,
      spec: input.spec,
      description: input.description ?? svc.description,
      lastModifiedAt: now,
      ...(changes
        ? { status: 'UPDATE_IN_PROGRESS', statusMessage: null }
        : { from: settledServiceStatuses() }),
      ...(pipeline ? { pendingPipeline: true } : {}),
    };
    if (!(await this.d.store.startDeployments(deletes, patch, creates))) throw busy();
    this.d.poke();
    return this.get(svc.name);
  }

  /**
   * Deletes every instance and the pipeline, then the service (see reconcileService). One
   * transaction moves the service to DELETE_IN_PROGRESS and starts exactly its resources' deletions.
   */
  async delete(name: string) {
    const svc = await this.d.store.getService(name);
    if (!svc) return undefined;
    if (svc.status === 'DELETE_IN_PROGRESS') return serviceView(svc, await this.pipelineOf(name));
    const resources = (await this.d.store.listResources({ serviceName: name })).filter(
      (r) => r.kind === 'SERVICE_INSTANCE' || r.kind === 'SERVICE_PIPELINE',
    );
    const components = (await this.d.store.listResources({ kind: 'COMPONENT' })).filter(
      (c) => c.settings.serviceName === name,
    );
    if (components.length)
      throw new ConflictError(
        `The service ${name} has components attached to its instances (${components.map((c) => c.name).join(', ')}). Detach or delete them first.`,
      );
    for (const r of resources)
      requireIdle(
        r,
        `The service ${name}'s ${r.kind === 'SERVICE_PIPELINE' ? 'pipeline' : `instance ${r.name}`}`,
      );
    const now = this.d.clock.now();
    const starts: StartDeployment[] = [];
    for (const r of resources) starts.push(await planDelete(this.d, r, now));
    if (!(await this.d.store.startServiceDeletion(name, starts, now))) {
      throw new ConflictError(
        `The service ${name} is busy (an update, a deletion or one of its deployments is in progress). Wait for it to finish, then try again.`,
      );
    }
    this.d.poke();
    return serviceView({ ...svc, status: 'DELETE_IN_PROGRESS' }, undefined);
  }
}
