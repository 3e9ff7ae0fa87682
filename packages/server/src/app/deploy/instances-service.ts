import {
  ConflictError,
  NotFoundError,
  ValidationError,
  parseVersionPart,
  resolveTargetVersion,
  substituteCurrentValues,
  type DeploymentUpdateType,
} from '@nucleon/core';
import type { ResourceKey, ResourceRecord } from '../../ports/deployment-store.js';
import { Pager, type PageRequest } from '../pagination.js';
import { refs } from '../template-views.js';
import {
  checkInputs,
  requireIdle,
  startOrConflict,
  versionForCreate,
  type DeployDeps,
} from './deploy-context.js';
import { engineOf } from './engine-of.js';
import { listInstances } from './list-instances.js';
import { planDeployment } from './plan-deployment.js';
import { serviceInstanceView, servicePipelineView } from './resource-views.js';
import { withInputWarnings } from './input-warnings.js';
import { parseSpec, type ServicesService } from './services-service.js';

const part = (v: string | undefined) => (v === undefined ? undefined : parseVersionPart(v));

/** Service instances and pipelines: create, update (four deployment types), cancel, outputs. */
export class InstancesService {
  constructor(
    private readonly d: DeployDeps,
    private readonly services: ServicesService,
  ) {}

  private async requireAny(key: ResourceKey): Promise<ResourceRecord> {
    if (key.kind === 'SERVICE_PIPELINE') return this.requirePipeline(key.serviceName);
    if (key.kind === 'SERVICE_INSTANCE') return this.requireInstance(key.serviceName, key.name);
    const r = await this.d.store.getResource(key);
    if (!r)
      throw new NotFoundError(
        `The ${key.kind === 'COMPONENT' ? 'component' : 'environment'} ${key.name} does not exist.`,
      );
    return r;
  }

  async requireInstance(serviceName: string, name: string): Promise<ResourceRecord> {
    const r = await this.d.store.getResource({ kind: 'SERVICE_INSTANCE', serviceName, name });
    if (!r)
      throw new NotFoundError(
        `The service instance ${name} of service ${serviceName} does not exist.`,
      );
    return r;
  }

  async requirePipeline(serviceName: string): Promise<ResourceRecord> {
    await this.services.require(serviceName);
    const r = await this.services.pipelineOf(serviceName);
    if (!r)
      throw new NotFoundError(
        `The service ${serviceName} has no pipeline (its template sets pipelineProvisioning CUSTOMER_MANAGED).`,
      );
    return r;
  }

  async create(input: {
    name: string;
    serviceName: string;
    spec: string;
    templateMajorVersion?: string;
    templateMinorVersion?: string;
    clientToken?: string;
    tags?: Array<{ key: string; value: string }>;
  }) {
    const svc = await this.services.require(input.serviceName);
    if (
      await this.d.store.getResource({
        kind: 'SERVICE_INSTANCE',
        serviceName: svc.name,
        name: input.name,
      })
    ) {
      throw new ConflictError(
        `The service ${svc.name} already has an instance named ${input.name}.`,
      );
    }
    const entry = parseSpec(input.spec).instances.find((i) => i.name === input.name);
    if (!entry)
      throw new ValidationError(
        `spec: list the instance ${input.name} under "instances" with its environment and spec.`,
      );
    const siblings = await this.d.store.listResources({
      kind: 'SERVICE_INSTANCE',
      serviceName: svc.name,
    });
    const major = part(input.templateMajorVersion) ?? siblings[0]?.templateMajor ?? 1;
    const version = await versionForCreate(
      this.d,
      'SERVICE',
      svc.templateName,
      major,
      part(input.templateMinorVersion),
    );
    const start = await this.services.planInstance(
      svc,
      entry,
      input.spec,
      version,
      this.d.clock.now(),
      input.clientToken ? { lastClientRequestToken: input.clientToken } : {},
    );
    if (!(await this.d.store.createResources({ starts: [start] })))
      throw new ConflictError(`The instance ${input.name} was created at the same time.`);
    if (input.tags?.length) await this.d.catalog.putTags(start.resource.arn, input.tags);
    this.d.poke();
    return serviceInstanceView(start.resource);
  }

  async get(serviceName: string, name: string) {
    return serviceInstanceView(await this.requireInstance(serviceName, name));
  }

  /** Redeploys an instance or the pipeline (CURRENT_VERSION, MINOR_VERSION, MAJOR_VERSION) or edits nothing (NONE). */
  async update(
    key: ResourceKey,
    input: {
      deploymentType: DeploymentUpdateType;
      spec?: string;
      templateMajorVersion?: string;
      templateMinorVersion?: string;
      clientToken?: string;
    },
  ) {
    const r =
      key.kind === 'SERVICE_PIPELINE'
        ? await this.requirePipeline(key.serviceName)
        : await this.requireInstance(key.serviceName, key.name);
    const what =
      key.kind === 'SERVICE_PIPELINE'
        ? `The pipeline of ${key.serviceName}`
        : `The service instance ${key.name}`;
    const view = key.kind === 'SERVICE_PIPELINE' ? servicePipelineView : serviceInstanceView;
    if (
      input.clientToken &&
      r.settings.lastClientRequestToken === input.clientToken &&
      r.lastAttemptedDeploymentId
    )
      return view(r);
    if (input.deploymentType === 'NONE') {
      requireIdle(r, what);
      return view(r);
    }
    const versions = refs(await this.d.catalog.listVersions('SERVICE', r.templateName));
    const target = resolveTargetVersion(
      input.deploymentType,
      { major: r.templateMajor, minor: r.templateMinor },
      { major: part(input.templateMajorVersion), minor: part(input.templateMinorVersion) },
      versions,
      true,
    );
    if ('error' in target)
      throw new ValidationError(`Cannot update ${what.replace(/^The /, 'the ')}: ${target.error}.`);
    const bundle = await this.d.bundles.load('SERVICE', r.templateName, target.major, target.minor);
    const specText = input.spec ?? r.spec ?? '';
    const parsed = parseSpec(specText);
    let raw: Record<string, unknown>;
    let specWarnings: readonly string[] = parsed.warnings;
    if (key.kind === 'SERVICE_PIPELINE') raw = parsed.pipeline ?? {};
    else {
      const entry = parsed.instances.find((i) => i.name === key.name);
      if (!entry)
        throw new ValidationError(
          `spec: the spec has no entry for instance ${key.name} under "instances".`,
        );
      if (entry.environment !== r.environmentName)
        throw new ValidationError(
          `spec: instance ${key.name} runs in ${r.environmentName}; an instance cannot move to another environment.`,
        );
      raw = entry.spec;
      specWarnings = entry.warnings ?? [];
    }
    const { values, missing } = substituteCurrentValues(
      raw,
      (r.settings.inputs as Record<string, unknown>) ?? {},
    );
    if (missing.length)
      throw new ValidationError(
        `spec: \${Proton::CURRENT_VAL} used for ${missing.join(', ')}, which have no current value.`,
      );
    const checked = checkInputs(
      bundle,
      key.kind === 'SERVICE_PIPELINE' ? 'pipeline' : 'service',
      values,
      'spec',
    );
    const settings = withInputWarnings(
      {
        ...r.settings,
        inputs: checked.inputs,
        ...(input.clientToken ? { lastClientRequestToken: input.clientToken } : {}),
      },
      [...specWarnings, ...checked.warnings],
    );
    let engine: string;
    if (key.kind === 'SERVICE_PIPELINE') engine = bundle.pipeline?.engine ?? 'none';
    else {
      const env = await this.d.store.getResource({
        kind: 'ENVIRONMENT',
        serviceName: '',
        name: r.environmentName ?? '',
      });
      const tv = await this.d.catalog.getVersion(
        'SERVICE',
        r.templateName,
        target.major,
        target.minor,
      );
      if (
        env &&
        !(tv?.compatibleEnvironmentTemplates ?? []).some(
          (c) =>
            c.templateName === env.templateName && Number(c.majorVersion) === env.templateMajor,
        )
      ) {
        throw new ValidationError(
          `${r.templateName}:${target.major}.${target.minor} is not compatible with the environment ${env.name} (${env.templateName} major ${env.templateMajor}).`,
        );
      }
      engine = engineOf(bundle.instance, env?.settings ?? {}, this.d.terraformCli);
    }
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now: this.d.clock.now(),
      current: r,
      next: {
        ...r,
        templateMajor: target.major,
        templateMinor: target.minor,
        spec: specText,
        settings,
      },
      operation: 'DEPLOY',
      engine,
    });
    await startOrConflict(this.d, [start], what);
    return view(start.resource);
  }

  /** Proton's cancel: only while IN_PROGRESS; the engine stops and the deployment ends CANCELLED. */
  async cancel(key: ResourceKey) {
    const r = await this.requireAny(key);
    if (r.deploymentStatus !== 'IN_PROGRESS' || !r.lastAttemptedDeploymentId) {
      throw new ValidationError(
        `There is no deployment in progress to cancel (status ${r.deploymentStatus}).`,
      );
    }
    const dep = await this.d.store.getDeployment(r.lastAttemptedDeploymentId);
    // Self-managed: the files were handed to the user's automation and nothing runs here to stop,
    // so it ends CANCELLED at once (one transaction, which also enqueues the service's reconcile).
    const cancelled =
      dep?.engine === 'terraform'
        ? await this.d.store.finishDeployment(dep.id, {
            status: 'CANCELLED',
            message: 'User initiated cancellation.',
          })
        : (await this.d.store.requestCancel(r.lastAttemptedDeploymentId)) !== undefined;
    if (!cancelled)
      throw new ConflictError('The deployment finished before it could be cancelled.');
    this.d.poke();
    return (await this.d.store.getResource(key)) ?? r;
  }

  async list(input: {
    serviceName?: string;
    filters?: Array<{ key?: string; value?: string }>;
    sortBy?: string;
    sortOrder?: string;
    nextToken?: string;
    maxResults?: number;
  }) {
    return listInstances(this.d, input);
  }

  /** List*Outputs: one page of a deployment's outputs by key, in SQL (ADR 0029). */
  async outputs(key: ResourceKey, deploymentId: string | undefined, request: PageRequest = {}) {
    const r = await this.requireAny(key);
    const id = deploymentId ?? r.lastSucceededDeploymentId;
    const pager = new Pager('ListOutputs', { arn: r.arn, deploymentId }, request);
    if (!id) return { outputs: [] };
    const rows = await this.d.store.pageOutputs(id, r.arn, pager.window);
    if (!rows) throw new NotFoundError(`The deployment ${id} does not exist for ${r.arn}.`);
    const page = pager.page(rows, (o) => o.key);
    return { outputs: page.items, nextToken: page.nextToken };
  }

  /** List*ProvisionedResources: one page of its last successful deployment's, in SQL. */
  async provisionedResources(key: ResourceKey, request: PageRequest = {}) {
    const r = await this.requireAny(key);
    const pager = new Pager('ListProvisionedResources', { arn: r.arn }, request);
    if (!r.lastSucceededDeploymentId) return { provisionedResources: [] };
    const rows = await this.d.store.pageProvisionedResources(
      r.lastSucceededDeploymentId,
      pager.window,
    );
    const page = pager.page(rows, (p) => String(p.position));
    return {
      provisionedResources: page.items.map(({ position: _, ...p }) => p),
      nextToken: page.nextToken,
    };
  }
}
