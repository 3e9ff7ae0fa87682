import { ConflictError, NotFoundError, ValidationError, protonArn } from '@nucleon/core';
import { parseManifest } from '@nucleon/templates';
import type { ResourceKey, ResourceRecord, StartDeployment } from '../../ports/deployment-store.js';
import type { LoadedBundle } from '../../ports/version-bundles.js';
import { Pager } from '../pagination.js';
import { checkInputs, requireIdle, startOrConflict, type DeployDeps } from './deploy-context.js';
import { engineOf } from './engine-of.js';
import { inputWarningsOf, withInputWarnings } from './input-warnings.js';
import { planDeployment } from './plan-deployment.js';
import { reserveProvisioningFolder } from './provisioning-folders.js';
import { componentSummaryView, componentView } from './resource-views.js';
import { parseSpec } from './services-service.js';

const key = (name: string): ResourceKey => ({ kind: 'COMPONENT', serviceName: '', name });
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

interface ComponentInput {
  name: string;
  manifest?: string;
  templateFile?: string;
  environmentName?: string;
  serviceName?: string;
  serviceInstanceName?: string;
  serviceSpec?: string;
  description?: string;
  clientToken?: string;
  tags?: Array<{ key: string; value: string }>;
}

/** The one IaC file a component manifest names, and its engine (CloudFormation or Terraform). */
export function componentFolder(manifest: string, templateFile: string) {
  const file = /file:\s*["']?([^"'\n]+)["']?/.exec(manifest)?.[1]?.trim() ?? 'cloudformation.yaml';
  const { manifest: parsed, problems } = parseManifest(
    'component',
    manifest,
    new Set([`component/${file}`]),
    1,
  );
  if (!parsed || problems.length)
    throw new ValidationError(
      `manifest: ${problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`).join('; ')}`,
    );
  if (parsed.engine === 'codebuild')
    throw new ValidationError(
      'manifest: components are not available for CodeBuild provisioning; use jinja/cloudformation or hcl/terraform.',
    );
  if (parsed.files.length !== 1)
    throw new ValidationError('manifest: a component has exactly one template file.');
  return {
    engine: parsed.engine,
    directory: 'component',
    files: parsed.files,
    content: templateFile,
  };
}

/** A component's own "bundle": its one template file, rendered like an environment's. */
export function componentBundle(r: ResourceRecord): LoadedBundle {
  const folder = componentFolder(String(r.settings.manifest), String(r.settings.templateFile));
  return {
    files: new Map([[folder.files[0]!, Buffer.from(folder.content, 'utf8')]]),
    environment: { engine: folder.engine, directory: folder.directory, files: folder.files },
    validateInputs: (_w, inputs) => ({
      ok: true,
      value: (inputs as Record<string, unknown>) ?? {},
      warnings: [],
    }),
    hasInputType: () => false,
  };
}

/** Directly defined components (Proton §9.3): attached to an instance or standing in an environment. */
export class ComponentsService {
  constructor(private readonly d: DeployDeps) {}

  async require(name: string): Promise<ResourceRecord> {
    const c = await this.d.store.getResource(key(name));
    if (!c) throw new NotFoundError(`The component ${name} does not exist.`);
    return c;
  }

  /** Resolves where a component lives and what it reads, enforcing Proton's attachment rules. */
  private async placement(input: ComponentInput, current?: ResourceRecord) {
    const svcName = input.serviceName ?? (current ? str(current.settings.serviceName) : undefined);
    const instName =
      input.serviceInstanceName ??
      (current ? str(current.settings.serviceInstanceName) : undefined);
    if (!!str(svcName) !== !!str(instName))
      throw new ValidationError(
        'Give both serviceName and serviceInstanceName to attach the component, or neither.',
      );
    if (
      current &&
      str(current.settings.serviceInstanceName) &&
      str(instName) &&
      (current.settings.serviceName !== svcName ||
        current.settings.serviceInstanceName !== instName)
    ) {
      throw new ValidationError(
        'A component moves only attached → detached → attached: detach it first (serviceName and serviceInstanceName "").',
      );
    }
    let environmentName = input.environmentName ?? current?.environmentName ?? undefined;
    let inputs: Record<string, unknown> = {};
    let warnings: string[] = [];
    if (str(svcName) && str(instName)) {
      const inst = await this.d.store.getResource({
        kind: 'SERVICE_INSTANCE',
        serviceName: svcName!,
        name: instName!,
      });
      if (!inst)
        throw new ValidationError(
          `The service instance ${instName} of service ${svcName} does not exist.`,
        );
      const version = await this.d.catalog.getVersion(
        'SERVICE',
        inst.templateName,
        inst.templateMajor,
        inst.templateMinor,
      );
      if (!(version?.supportedComponentSources ?? []).includes('DIRECTLY_DEFINED')) {
        throw new ValidationError(
          `${inst.templateName}:${inst.templateMajor}.${inst.templateMinor} does not list DIRECTLY_DEFINED in supportedComponentSources, so components cannot attach to its instances.`,
        );
      }
      const others = (await this.d.store.listResources({ kind: 'COMPONENT' })).filter(
        (c) =>
          c.name !== input.name &&
          c.settings.serviceName === svcName &&
          c.settings.serviceInstanceName === instName,
      );
      if (others.length)
        throw new ConflictError(
          `The instance ${instName} already has the component ${others[0]!.name} attached.`,
        );
      environmentName = inst.environmentName ?? undefined;
      const specText = input.serviceSpec ?? current?.spec ?? undefined;
      const entry = specText
        ? parseSpec(specText).instances.find((i) => i.name === instName)
        : undefined;
      const bundle = await this.d.bundles.load(
        'SERVICE',
        inst.templateName,
        inst.templateMajor,
        inst.templateMinor,
      );
      if (entry) {
        ({ inputs, warnings } = checkInputs(bundle, 'service', entry.spec, 'serviceSpec'));
      } else {
        inputs = (inst.settings.inputs as Record<string, unknown>) ?? {};
        warnings = inputWarningsOf(inst.settings);
      }
    }
    if (!environmentName)
      throw new ValidationError(
        'environmentName is required for a component that is not attached to a service instance.',
      );
    const env = await this.d.store.getResource({
      kind: 'ENVIRONMENT',
      serviceName: '',
      name: environmentName,
    });
    if (!env) throw new ValidationError(`The environment ${environmentName} does not exist.`);
    // A connected environment takes the componentRoleArn of its account connection (spec §2.4).
    const connectionId = env.settings.environmentAccountConnectionId;
    const componentRole =
      typeof connectionId === 'string'
        ? (await this.d.connections?.find(connectionId))?.componentRoleArn
        : env.settings.componentRoleArn;
    if (!componentRole)
      throw new ValidationError(
        typeof connectionId === 'string'
          ? `The environment ${environmentName} is provisioned through the environment account connection ${connectionId}, which has no componentRoleArn, so it does not allow directly defined components. Ask the environment account to add one with UpdateEnvironmentAccountConnection.`
          : `The environment ${environmentName} has no componentRoleArn, so it does not allow directly defined components.`,
      );
    return {
      environmentName,
      env,
      serviceName: str(svcName) ?? null,
      serviceInstanceName: str(instName) ?? null,
      inputs,
      warnings,
    };
  }

  async create(input: ComponentInput & { manifest: string; templateFile: string }) {
    const existing = await this.d.store.getResource(key(input.name));
    if (existing) {
      if (input.clientToken && existing.settings.lastClientRequestToken === input.clientToken)
        return componentView(existing);
      throw new ConflictError(`A component named ${input.name} already exists.`);
    }
    const start = await this.planCreate(input);
    if (!(await this.d.store.createResources({ starts: [start] })))
      throw new ConflictError(`A component named ${input.name} was created at the same time.`);
    if (input.tags?.length) await this.d.catalog.putTags(start.resource.arn, input.tags);
    this.d.poke();
    return componentView(start.resource);
  }

  /** A new component's record and first deployment, placed by Proton's attachment rules. */
  async planCreate(
    input: ComponentInput & { manifest: string; templateFile: string },
  ): Promise<StartDeployment> {
    const folder = componentFolder(input.manifest, input.templateFile);
    const where = await this.placement(input);
    const arn = protonArn(this.d.arnScope, `component/${input.name}`);
    const provisioningFolder = await reserveProvisioningFolder(this.d, where.env, {
      kind: 'COMPONENT',
      serviceName: '',
      name: input.name,
      environmentName: where.environmentName,
      arn,
    });
    const now = this.d.clock.now();
    const settings = withInputWarnings(
      {
        manifest: input.manifest,
        templateFile: input.templateFile,
        serviceName: where.serviceName,
        serviceInstanceName: where.serviceInstanceName,
        inputs: where.inputs,
        description: input.description ?? null,
        lastClientRequestToken: input.clientToken ?? null,
        lastModifiedAt: now.toISOString(),
      },
      where.warnings,
    );
    return planDeployment({
      arnScope: this.d.arnScope,
      now,
      current: undefined,
      next: {
        kind: 'COMPONENT',
        serviceName: '',
        name: input.name,
        arn,
        environmentName: where.environmentName,
        templateName: '',
        templateMajor: 0,
        templateMinor: 0,
        spec: input.serviceSpec ?? null,
        settings,
        lastSucceededDeploymentId: null,
        createdAt: now,
        provisioningFolder,
      },
      operation: 'DEPLOY',
      engine: engineOf({ ...folder }, where.env.settings, this.d.terraformCli),
    });
  }

  async get(name: string) {
    return componentView(await this.require(name));
  }

  async list(input: {
    environmentName?: string;
    serviceName?: string;
    serviceInstanceName?: string;
    nextToken?: string;
    maxResults?: number;
  }) {
    const filter = {
      ...(input.environmentName ? { environmentName: input.environmentName } : {}),
      ...(input.serviceName ? { serviceName: input.serviceName } : {}),
      ...(input.serviceInstanceName ? { serviceInstanceName: input.serviceInstanceName } : {}),
    };
    const pager = new Pager('ListComponents', filter, input);
    const rows = await this.d.store.pageComponents(filter, pager.window);
    const page = pager.page(rows, (c) => c.name);
    return { components: page.items.map(componentSummaryView), nextToken: page.nextToken };
  }

  async update(input: ComponentInput & { deploymentType: 'NONE' | 'CURRENT_VERSION' }) {
    const c = await this.require(input.name);
    requireIdle(c, `The component ${c.name}`);
    const now = this.d.clock.now().toISOString();
    if (input.deploymentType === 'NONE') {
      if (
        input.templateFile ||
        input.serviceSpec ||
        input.serviceName !== undefined ||
        input.serviceInstanceName !== undefined
      ) {
        throw new ValidationError(
          'deploymentType NONE changes only the description; use CURRENT_VERSION to redeploy with a new template file, spec or attachment.',
        );
      }
      return componentView(
        (await this.d.store.updateResourceSettings(c, {
          ...c.settings,
          description: input.description ?? c.settings.description,
          lastModifiedAt: now,
        }))!,
      );
    }
    const templateFile = input.templateFile ?? String(c.settings.templateFile);
    const folder = componentFolder(String(c.settings.manifest), templateFile);
    const where = await this.placement(input, c);
    const provisioningFolder = await reserveProvisioningFolder(this.d, where.env, c);
    const settings = withInputWarnings(
      {
        ...c.settings,
        templateFile,
        serviceName: where.serviceName,
        serviceInstanceName: where.serviceInstanceName,
        inputs: where.inputs,
        description: input.description ?? c.settings.description,
        lastClientRequestToken: input.clientToken ?? c.settings.lastClientRequestToken,
        lastModifiedAt: now,
      },
      where.warnings,
    );
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now: this.d.clock.now(),
      current: c,
      next: { ...c, spec: input.serviceSpec ?? c.spec, settings, provisioningFolder },
      operation: 'DEPLOY',
      engine: engineOf({ ...folder }, where.env.settings, this.d.terraformCli),
    });
    await startOrConflict(this.d, [start], `The component ${c.name}`);
    return componentView(start.resource);
  }

  async delete(name: string) {
    const c = await this.d.store.getResource(key(name));
    if (!c) return undefined;
    if (c.deploymentStatus === 'DELETE_IN_PROGRESS') return componentView(c);
    if (str(c.settings.serviceInstanceName)) {
      throw new ConflictError(
        `The component ${name} is attached to ${String(c.settings.serviceName)}/${String(c.settings.serviceInstanceName)}. Detach it first (UpdateComponent with serviceName and serviceInstanceName "").`,
      );
    }
    requireIdle(c, `The component ${name}`);
    const folder = componentFolder(String(c.settings.manifest), String(c.settings.templateFile));
    const env = await this.d.store.getResource({
      kind: 'ENVIRONMENT',
      serviceName: '',
      name: c.environmentName ?? '',
    });
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now: this.d.clock.now(),
      current: c,
      next: c,
      operation: 'DELETE',
      engine: engineOf({ ...folder }, env?.settings ?? {}, this.d.terraformCli),
    });
    await startOrConflict(this.d, [start], `The component ${name}`);
    return componentView(start.resource);
  }
}
