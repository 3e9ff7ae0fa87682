import {
  ValidationError,
  compareStackTemplates,
  protonArn,
  provisioningFolder,
} from '@nucleon/core';
import type {
  NucleonImportFolder,
  NucleonImportResult,
  NucleonImportStack,
  ProtonImportRequest,
} from '@nucleon/protocol';
import { parseEnvironmentSpec } from '@nucleon/templates';
import type {
  DeploymentRecord,
  DeploymentStore,
  ResourceRecord,
  ServiceRecord,
  StartDeployment,
} from '../../ports/deployment-store.js';
import type { LoadedBundle, TemplateRenderer } from '../../ports/version-bundles.js';
import { componentBundle, type ComponentsService } from '../deploy/components-service.js';
import { checkInputs, versionForCreate, type DeployDeps } from '../deploy/deploy-context.js';
import { engineOf } from '../deploy/engine-of.js';
import { withInputWarnings } from '../deploy/input-warnings.js';
import { planDeployment } from '../deploy/plan-deployment.js';
import { renderDeployment } from '../deploy/render-deployment.js';
import { parseSpec, type ServicesService } from '../deploy/services-service.js';
import { checkPipelineRepository, required, requireEngine } from './proton-import-checks.js';
import { compareTerraformFolder } from './proton-import-terraform.js';

export interface ProtonImportDeps extends DeployDeps {
  renderer: TemplateRenderer;
  accountId: string;
  services: ServicesService;
  components: ComponentsService;
  /** The account settings' pipelineProvisioningRepository (self-managed Terraform pipelines). */
  pipelineRepository?: () => Promise<
    { provider: string; name: string; branch: string } | undefined
  >;
}

/** Where a resource lives: a CloudFormation stack, or a self-managed Terraform folder. */
export type Binding = { stack: NucleonImportStack } | { folder: NucleonImportFolder };

/** One resource to adopt: its planned record and what it is bound to. */
export interface Planned {
  start: StartDeployment;
  binding: Binding;
  result: NucleonImportResult;
}

/** What a binding is called in messages: the stack name or `<folder>/`. */
export const bindingName = (b: Binding) =>
  'stack' in b ? b.stack.stackName : `${b.folder.folder}/`;

export interface ImportPlan {
  items: Planned[];
  service?: ServiceRecord;
}

export const ADOPTED = 'adopted from AWS Proton';

/** The records adoption writes for one planned resource: bound to its stack or folder, succeeded. */
export function adoptionOf(
  p: Planned,
  now: Date,
): { resource: ResourceRecord; deployment: DeploymentRecord; engineName: string } {
  const drifted = p.result.match === 'DIFFERENT';
  const where =
    'stack' in p.binding
      ? `stack ${p.binding.stack.stackName}`
      : `folder ${bindingName(p.binding)}`;
  const message = drifted
    ? `${ADOPTED} (${where}) with differences: it has drifted from the rendered template; the next deployment replaces it with the rendered one.`
    : `${ADOPTED} (${where}).`;
  const bound =
    'stack' in p.binding
      ? {
          settings: { adoptedStackId: p.binding.stack.stackId },
          outputs: p.binding.stack.outputs,
          provisioned: [
            {
              name: p.binding.stack.stackName,
              identifier: p.binding.stack.stackId,
              provisioningEngine: 'CLOUDFORMATION',
            },
          ],
          engineName: p.binding.stack.stackName,
        }
      : {
          settings: { adoptedFolder: p.binding.folder.folder },
          outputs: p.binding.folder.outputs,
          provisioned: [],
          engineName: p.binding.folder.folder,
        };
  return {
    resource: {
      ...p.start.resource,
      settings: {
        ...p.start.resource.settings,
        ...bound.settings,
        ...(drifted ? { adoptedWithDifferences: true } : {}),
      },
      deploymentStatus: 'SUCCEEDED',
      deploymentStatusMessage: message,
      lastSucceededDeploymentId: p.start.deployment.id,
      lastDeploymentSucceededAt: now,
    },
    deployment: {
      ...p.start.deployment,
      status: 'SUCCEEDED',
      statusMessage: message,
      outputs: Object.fromEntries((bound.outputs ?? []).map((o) => [o.key, o.value])),
      provisionedResources: bound.provisioned,
      completedAt: now,
      lastModifiedAt: now,
    },
    engineName: bound.engineName,
  };
}

/** The stack (or, for self-managed Terraform, the folder) the request gives for `target`. */
export function bindingFor(req: ProtonImportRequest, target: string): Binding {
  const stack = req.stacks.find((s) => s.target === target);
  if (stack) return { stack };
  const folder = req.folders?.find((f) => f.target === target);
  if (folder) return { folder };
  throw new ValidationError(
    `stacks: no stack (or provisioning-repository folder) for ${target} of ${req.name}. Give the one Proton deployed it with (target "${target}").`,
  );
}

/**
 * Plans an import (ADR 0021, 0028): the records a creation would make, each rendered exactly as
 * a deployment would render it and compared with the template its stack runs now.
 */
export class ProtonImportPlanner {
  constructor(private readonly d: ProtonImportDeps) {}

  async plan(req: ProtonImportRequest): Promise<ImportPlan> {
    if (req.kind === 'COMPONENT') return this.planComponent(req);
    return req.kind === 'ENVIRONMENT' ? this.planEnvironment(req) : this.planService(req);
  }

  private rejectExtra(req: ProtonImportRequest, known: Set<string>, what: string): void {
    const extra = [
      ...req.stacks.map((b) => ({ stack: b })),
      ...(req.folders ?? []).map((f) => ({ folder: f })),
    ].find((b) => !known.has('stack' in b ? b.stack.target : b.folder.target));
    if (extra)
      throw new ValidationError(
        `stacks: ${'stack' in extra ? extra.stack.target : extra.folder.target} (${bindingName(extra)}) is not ${what}. Targets are ${[...known].map((k) => `"${k}"`).join(', ')}.`,
      );
  }

  private async planEnvironment(req: ProtonImportRequest): Promise<ImportPlan> {
    const r = required(req);
    this.rejectExtra(req, new Set(['environment']), 'the environment');
    const version = await versionForCreate(this.d, 'ENVIRONMENT', r.templateName, r.major, r.minor);
    requireEngine(version.bundle, 'environment', req);
    let parsed: ReturnType<typeof parseEnvironmentSpec>;
    try {
      parsed = parseEnvironmentSpec(r.spec);
    } catch (error) {
      throw new ValidationError(`spec: ${(error as Error).message}`);
    }
    const { inputs, warnings } = checkInputs(version.bundle, 'environment', parsed.spec, 'spec');
    const now = this.d.clock.now();
    const settings = withInputWarnings(
      {
        inputs,
        ...(req.protonServiceRoleArn ? { protonServiceRoleArn: req.protonServiceRoleArn } : {}),
        ...(req.componentRoleArn ? { componentRoleArn: req.componentRoleArn } : {}),
        ...(req.provisioningRepository
          ? { provisioningRepository: { ...req.provisioningRepository } }
          : {}),
      },
      [...parsed.warnings, ...warnings],
    );
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now,
      current: undefined,
      next: {
        kind: 'ENVIRONMENT',
        serviceName: '',
        name: req.name,
        arn: protonArn(this.d.arnScope, `environment/${req.name}`),
        environmentName: req.name,
        templateName: r.templateName,
        templateMajor: version.major,
        templateMinor: version.minor,
        spec: r.spec,
        settings,
        lastSucceededDeploymentId: null,
        createdAt: now,
      },
      operation: 'DEPLOY',
      engine: engineOf(version.bundle.environment, settings, this.d.terraformCli),
    });
    const templateArn = protonArn(this.d.arnScope, `environment-template/${r.templateName}`);
    return {
      items: [
        await this.compare(start, bindingFor(req, 'environment'), version.bundle, this.d.store, {
          templateArn,
        }),
      ],
    };
  }

  private async planService(req: ProtonImportRequest): Promise<ImportPlan> {
    const r = required(req);
    const version = await versionForCreate(this.d, 'SERVICE', r.templateName, r.major, r.minor);
    requireEngine(version.bundle, 'instance', req);
    const spec = parseSpec(r.spec);
    if (spec.instances.length === 0)
      throw new ValidationError('spec: a service needs at least one instance under "instances".');
    const template = await this.d.catalog.getTemplate('SERVICE', r.templateName);
    const hasPipeline =
      template?.provisioning !== 'CUSTOMER_MANAGED' && version.bundle.pipeline !== undefined;
    const known = new Set(spec.instances.map((i) => `instance/${i.name}`));
    if (hasPipeline) known.add('pipeline');
    this.rejectExtra(
      req,
      known,
      `an instance in the spec of ${req.name}${hasPipeline ? ' or its pipeline' : ` (${r.templateName} has no pipeline)`}`,
    );
    if (hasPipeline && version.bundle.pipeline?.engine !== 'cloudformation')
      await checkPipelineRepository(this.d, req, r.templateName, version.major, version.bundle);
    const now = this.d.clock.now();
    const service: ServiceRecord = {
      name: req.name,
      arn: protonArn(this.d.arnScope, `service/${req.name}`),
      templateName: r.templateName,
      description: null,
      spec: r.spec,
      status: 'CREATE_IN_PROGRESS',
      statusMessage: null,
      repositoryConnectionArn: req.repositoryConnectionArn ?? null,
      repositoryId: req.repositoryId ?? null,
      branchName: req.branchName ?? null,
      createdAt: now,
      lastModifiedAt: now,
    };
    // Rendering reads the service, and the pipeline its instances with their outputs, from the
    // store; until adoption they exist only here.
    const instances: ResourceRecord[] = [];
    const deployments = new Map<string, DeploymentRecord>();
    const store = Object.create(this.d.store) as DeploymentStore;
    store.getService = async (name) =>
      name === service.name ? service : this.d.store.getService(name);
    store.listResources = async (filter) =>
      filter.kind === 'SERVICE_INSTANCE' && filter.serviceName === service.name
        ? instances
        : this.d.store.listResources(filter);
    store.getDeployment = async (id) => deployments.get(id) ?? this.d.store.getDeployment(id);
    const templateArn = protonArn(this.d.arnScope, `service-template/${r.templateName}`);
    const items: Planned[] = [];
    for (const inst of spec.instances) {
      const start = await this.d.services.planInstance(service, inst, r.spec, version, now);
      const planned = await this.compare(
        start,
        bindingFor(req, `instance/${inst.name}`),
        version.bundle,
        store,
        {
          templateArn,
          environmentArn: protonArn(this.d.arnScope, `environment/${inst.environment}`),
        },
      );
      const adopted = adoptionOf(planned, now);
      instances.push(adopted.resource);
      deployments.set(adopted.deployment.id, adopted.deployment);
      items.push(planned);
    }
    if (hasPipeline) {
      const start = this.d.services.planPipeline(
        service,
        r.spec,
        spec.pipeline ?? {},
        version,
        now,
        undefined,
      );
      items.push(
        await this.compare(start, bindingFor(req, 'pipeline'), version.bundle, store, {
          templateArn,
        }),
      );
    }
    return { items, service };
  }

  private async planComponent(req: ProtonImportRequest): Promise<ImportPlan> {
    this.rejectExtra(req, new Set(['component']), 'the component');
    if (!req.manifest || !req.templateFile)
      throw new ValidationError(
        'manifest, templateFile: required to import a component (its own manifest and the template file Proton rendered its stack from).',
      );
    const start = await this.d.components.planCreate({
      name: req.name,
      manifest: req.manifest,
      templateFile: req.templateFile,
      ...(req.environmentName ? { environmentName: req.environmentName } : {}),
      ...(req.serviceName ? { serviceName: req.serviceName } : {}),
      ...(req.serviceInstanceName ? { serviceInstanceName: req.serviceInstanceName } : {}),
      ...(req.spec ? { serviceSpec: req.spec } : {}),
    });
    // Self-managed Terraform (its environment's provisioning repository): bound to its folder.
    const engine = start.deployment.engine;
    if (engine !== 'cloudformation' && !(engine === 'terraform' && req.folders?.length))
      throw new ValidationError(
        engine === 'terraform'
          ? `The component ${req.name} provisions with self-managed Terraform: give its folder in the environment's provisioning repository (target "component").`
          : `The component ${req.name} provisions with ${engine}; importing from Proton adopts CloudFormation stacks and self-managed Terraform only.`,
      );
    const r = start.resource;
    return {
      items: [
        await this.compare(start, bindingFor(req, 'component'), componentBundle(r), this.d.store, {
          templateArn: r.arn,
          environmentArn: protonArn(this.d.arnScope, `environment/${r.environmentName ?? ''}`),
        }),
      ],
    };
  }

  /**
   * The next deployment must find the stack where it is: in this Nucleon's region, and in the
   * account of the role it deploys with (the environment's protonServiceRoleArn).
   */
  private async checkWhere(
    r: ResourceRecord,
    stack: NucleonImportStack,
    store: DeploymentStore,
  ): Promise<void> {
    const [, , , region, account] = stack.stackId.split(':');
    if (region && region !== this.d.arnScope.region)
      throw new ValidationError(
        `stacks: ${stack.stackName} is in ${region}, but this Nucleon deploys CloudFormation in ${this.d.arnScope.region}, where its next deployment would look for the stack. Adopt it with a Nucleon set up for ${region}.`,
      );
    const env =
      r.kind === 'ENVIRONMENT'
        ? r
        : r.environmentName
          ? await store.getResource({
              kind: 'ENVIRONMENT',
              serviceName: '',
              name: r.environmentName,
            })
          : undefined;
    const role = env?.settings.protonServiceRoleArn;
    const roleAccount = typeof role === 'string' ? role.split(':')[4] : undefined;
    if (account && roleAccount && roleAccount !== account)
      throw new ValidationError(
        `stacks: ${stack.stackName} is in account ${account}, but deployments of ${r.kind === 'ENVIRONMENT' ? `the environment ${r.name}` : `${r.name} (environment ${r.environmentName ?? ''})`} act as ${String(role)} in account ${roleAccount}. Give the environment the role Proton deployed it with in account ${account} (the stack's RoleARN, protonServiceRoleArn in the spec file).`,
      );
  }

  /**
   * Renders the resource as a deployment would and compares with the template its stack runs,
   * or, for self-managed Terraform, with its folder in the provisioning repository.
   */
  private async compare(
    start: StartDeployment,
    binding: Binding,
    bundle: LoadedBundle,
    store: DeploymentStore,
    arns: { templateArn: string; environmentArn?: string },
  ): Promise<Planned> {
    const r = start.resource;
    const target = 'stack' in binding ? binding.stack.target : binding.folder.target;
    const engine = start.deployment.engine;
    if ('stack' in binding !== (engine === 'cloudformation'))
      throw new ValidationError(
        `${target}: ${r.templateName || r.name} provisions it with ${engine}, so give ${engine === 'cloudformation' ? 'the stack Proton made' : "its folder in the environment's provisioning repository"}, not ${bindingName(binding)}.`,
      );
    if ('stack' in binding) await this.checkWhere(r, binding.stack, store);
    const rendered = await renderDeployment({
      store,
      renderer: this.d.renderer,
      bundle,
      resource: r,
      accountId: this.d.accountId,
      deployment: { id: start.deployment.id, operation: 'DEPLOY' },
      templateArn: arns.templateArn,
      environmentArn: arns.environmentArn,
    });
    let compared: { equal: boolean; diff: string };
    if ('folder' in binding) {
      const expected = r.provisioningFolder ?? provisioningFolder(r);
      if (binding.folder.folder !== expected)
        throw new ValidationError(
          `folders: ${target} lives in ${expected}/ in Proton's layout, not in ${binding.folder.folder}/.`,
        );
      compared = compareTerraformFolder(r, rendered, binding.folder);
    } else {
      const text = rendered.templateFile ? rendered.files.get(rendered.templateFile) : undefined;
      if (typeof text !== 'string')
        throw new ValidationError(
          `${r.templateName || r.name} renders no CloudFormation template for ${target}.`,
        );
      try {
        compared = compareStackTemplates(text, binding.stack.template);
      } catch (error) {
        throw new ValidationError(
          `stacks: the template of stack ${binding.stack.stackName} cannot be read: ${(error as Error).message}`,
        );
      }
    }
    start.deployment.rendered = rendered.visible;
    return {
      start,
      binding,
      result: {
        target,
        stackName: 'stack' in binding ? binding.stack.stackName : '',
        ...('folder' in binding ? { folder: binding.folder.folder } : {}),
        match: compared.equal ? 'EXACT' : 'DIFFERENT',
        ...(compared.equal ? {} : { diff: compared.diff }),
        adopted: false,
      },
    };
  }
}
