import {
  ConflictError,
  ValidationError,
  compareStackTemplates,
  parseVersionPart,
  protonArn,
} from '@nucleon/core';
import type {
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
import { checkInputs, versionForCreate, type DeployDeps } from '../deploy/deploy-context.js';
import { engineOf } from '../deploy/engine-of.js';
import { withInputWarnings } from '../deploy/input-warnings.js';
import { planDeployment } from '../deploy/plan-deployment.js';
import { renderDeployment } from '../deploy/render-deployment.js';
import { parseSpec, type ServicesService } from '../deploy/services-service.js';

export interface ProtonImportDeps extends DeployDeps {
  renderer: TemplateRenderer;
  accountId: string;
  services: ServicesService;
}

/** One resource to adopt: its planned record and the stack it is bound to. */
interface Planned {
  start: StartDeployment;
  stack: NucleonImportStack;
  result: NucleonImportResult;
}

const ADOPTED = 'adopted from AWS Proton';

/**
 * `nucleon import proton` on the server (ADR 0021): renders the registered template version
 * with the resource's spec, compares it with the template each of the resource's stacks runs
 * now, and adopts — creates the records bound to those very stacks, with their outputs, as
 * succeeded deployments and no job. Nothing is sent to CloudFormation: the stacks' next
 * deployment is a normal change-set update that also adds Nucleon's ownership tags.
 */
export class ProtonImportService {
  constructor(private readonly d: ProtonImportDeps) {}

  async match(req: ProtonImportRequest): Promise<{ results: NucleonImportResult[] }> {
    const existing = await this.alreadyAdopted(req);
    if (existing) return { results: existing };
    const plan = await this.plan(req);
    return { results: plan.items.map((p) => p.result) };
  }

  async adopt(
    req: ProtonImportRequest,
  ): Promise<{ results: NucleonImportResult[]; adopted: boolean }> {
    const existing = await this.alreadyAdopted(req);
    if (existing) return { results: existing, adopted: true };
    const plan = await this.plan(req);
    const differing = plan.items.filter((p) => p.result.match === 'DIFFERENT');
    if (differing.length > 0 && !req.acceptDifferences) {
      for (const p of differing)
        p.result.message = `not adopted: the stack's template differs from what ${req.templateName} renders with this spec. Fix the spec (or register the version Proton deployed), or adopt anyway with --accept-differences (the resource is then shown as drifted).`;
      return { results: plan.items.map((p) => p.result), adopted: false };
    }
    const now = this.d.clock.now();
    const adoptions = plan.items.map((p) => {
      const drifted = p.result.match === 'DIFFERENT';
      const message = drifted
        ? `${ADOPTED} (stack ${p.stack.stackName}) with differences: the stack has drifted from the rendered template; the next deployment replaces it with the rendered one.`
        : `${ADOPTED} (stack ${p.stack.stackName}).`;
      const resource: ResourceRecord = {
        ...p.start.resource,
        settings: {
          ...p.start.resource.settings,
          adoptedStackId: p.stack.stackId,
          ...(drifted ? { adoptedWithDifferences: true } : {}),
        },
        deploymentStatus: 'SUCCEEDED',
        deploymentStatusMessage: message,
        lastSucceededDeploymentId: p.start.deployment.id,
        lastDeploymentSucceededAt: now,
      };
      const deployment: DeploymentRecord = {
        ...p.start.deployment,
        status: 'SUCCEEDED',
        statusMessage: message,
        outputs: Object.fromEntries((p.stack.outputs ?? []).map((o) => [o.key, o.value])),
        provisionedResources: [
          {
            name: p.stack.stackName,
            identifier: p.stack.stackId,
            provisioningEngine: 'CLOUDFORMATION',
          },
        ],
        completedAt: now,
        lastModifiedAt: now,
      };
      p.result.adopted = true;
      p.result.message = message;
      return { resource, deployment, engineName: p.stack.stackName };
    });
    const service = plan.service ? { ...plan.service, status: 'ACTIVE' } : undefined;
    if (!(await this.d.store.adoptResources({ ...(service ? { service } : {}), adoptions }))) {
      throw new ConflictError(
        `${req.kind === 'SERVICE' ? 'The service' : 'The environment'} ${req.name} was created at the same time. Run the import again: it reports what is adopted already.`,
      );
    }
    return { results: plan.items.map((p) => p.result), adopted: true };
  }

  /**
   * An earlier run adopted the resource with these very stacks: the results say so (re-running
   * is idempotent). A resource of that name bound to anything else is a conflict.
   */
  private async alreadyAdopted(
    req: ProtonImportRequest,
  ): Promise<NucleonImportResult[] | undefined> {
    const bound: Array<{ record: ResourceRecord | undefined; stack: NucleonImportStack }> = [];
    if (req.kind === 'ENVIRONMENT') {
      const record = await this.d.store.getResource({
        kind: 'ENVIRONMENT',
        serviceName: '',
        name: req.name,
      });
      if (!record) return undefined;
      bound.push({ record, stack: this.stackFor(req, 'environment') });
    } else {
      if (!(await this.d.store.getService(req.name))) return undefined;
      for (const stack of req.stacks) {
        const name = stack.target.startsWith('instance/') ? stack.target.slice(9) : 'pipeline';
        const kind = stack.target === 'pipeline' ? 'SERVICE_PIPELINE' : 'SERVICE_INSTANCE';
        bound.push({
          record: await this.d.store.getResource({ kind, serviceName: req.name, name }),
          stack,
        });
      }
    }
    const results: NucleonImportResult[] = [];
    for (const { record, stack } of bound) {
      if (
        !record ||
        record.engineName !== stack.stackName ||
        record.settings.adoptedStackId !== stack.stackId
      ) {
        throw new ConflictError(
          `${req.kind === 'SERVICE' ? 'A service' : 'An environment'} named ${req.name} already exists in Nucleon and ${stack.target} is not bound to stack ${stack.stackName}. Nothing was changed. Delete or rename the Nucleon resource, or leave this one out of the import.`,
        );
      }
      results.push({
        target: stack.target,
        stackName: stack.stackName,
        match: record.settings.adoptedWithDifferences ? 'DIFFERENT' : 'EXACT',
        adopted: true,
        message: `already ${ADOPTED} (stack ${stack.stackName}); nothing changed.`,
      });
    }
    return results;
  }

  private stackFor(req: ProtonImportRequest, target: string): NucleonImportStack {
    const stack = req.stacks.find((s) => s.target === target);
    if (!stack)
      throw new ValidationError(
        `stacks: no stack for ${target} of ${req.name}. Give the stack Proton deployed it with (target "${target}").`,
      );
    return stack;
  }

  private async plan(
    req: ProtonImportRequest,
  ): Promise<{ items: Planned[]; service?: ServiceRecord }> {
    const known = new Set(
      req.kind === 'ENVIRONMENT'
        ? ['environment']
        : parseSpec(req.spec).instances.map((i) => `instance/${i.name}`),
    );
    const extra = req.stacks.find((s) => !known.has(s.target));
    if (extra)
      throw new ValidationError(
        extra.target === 'pipeline'
          ? `stacks: adopting a service pipeline is not supported yet; import ${req.name} without its pipeline stack ${extra.stackName} (it keeps running untouched).`
          : `stacks: ${extra.target} (stack ${extra.stackName}) is not ${req.kind === 'ENVIRONMENT' ? 'the environment' : `an instance in the spec of ${req.name}`}. Targets are "environment" or "instance/<name>".`,
      );
    return req.kind === 'ENVIRONMENT' ? this.planEnvironment(req) : this.planService(req);
  }

  private async planEnvironment(req: ProtonImportRequest): Promise<{ items: Planned[] }> {
    const version = await this.version('ENVIRONMENT', req);
    requireCloudFormation(version.bundle, 'environment', req);
    let parsed: ReturnType<typeof parseEnvironmentSpec>;
    try {
      parsed = parseEnvironmentSpec(req.spec);
    } catch (error) {
      throw new ValidationError(`spec: ${(error as Error).message}`);
    }
    const { inputs, warnings } = checkInputs(version.bundle, 'environment', parsed.spec, 'spec');
    const now = this.d.clock.now();
    const settings = withInputWarnings({ inputs }, [...parsed.warnings, ...warnings]);
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
        templateName: req.templateName,
        templateMajor: version.major,
        templateMinor: version.minor,
        spec: req.spec,
        settings,
        lastSucceededDeploymentId: null,
        createdAt: now,
      },
      operation: 'DEPLOY',
      engine: engineOf(version.bundle.environment, settings, this.d.terraformCli),
    });
    const stack = this.stackFor(req, 'environment');
    return { items: [await this.compare(start, stack, version, this.d.store)] };
  }

  private async planService(
    req: ProtonImportRequest,
  ): Promise<{ items: Planned[]; service: ServiceRecord }> {
    const version = await this.version('SERVICE', req);
    requireCloudFormation(version.bundle, 'instance', req);
    const spec = parseSpec(req.spec);
    if (spec.instances.length === 0)
      throw new ValidationError('spec: a service needs at least one instance under "instances".');
    const template = await this.d.catalog.getTemplate('SERVICE', req.templateName);
    if (template?.provisioning !== 'CUSTOMER_MANAGED' && version.bundle.pipeline !== undefined)
      throw new ValidationError(
        `The service template ${req.templateName} includes a pipeline; adopting services with pipelines is not supported yet. Adopt with a template version without a pipeline, or create the service anew.`,
      );
    const now = this.d.clock.now();
    const service: ServiceRecord = {
      name: req.name,
      arn: protonArn(this.d.arnScope, `service/${req.name}`),
      templateName: req.templateName,
      description: null,
      spec: req.spec,
      status: 'CREATE_IN_PROGRESS',
      statusMessage: null,
      repositoryConnectionArn: null,
      repositoryId: null,
      branchName: null,
      createdAt: now,
      lastModifiedAt: now,
    };
    // Rendering reads the service from the store; until adoption it exists only here.
    const store = Object.create(this.d.store) as DeploymentStore;
    store.getService = async (name: string) =>
      name === service.name ? service : this.d.store.getService(name);
    const items: Planned[] = [];
    for (const inst of spec.instances) {
      const start = await this.d.services.planInstance(service, inst, req.spec, version, now);
      items.push(
        await this.compare(start, this.stackFor(req, `instance/${inst.name}`), version, store),
      );
    }
    return { items, service };
  }

  private async version(kind: 'ENVIRONMENT' | 'SERVICE', req: ProtonImportRequest) {
    return versionForCreate(
      this.d,
      kind,
      req.templateName,
      parseVersionPart(req.templateMajorVersion),
      req.templateMinorVersion === undefined
        ? undefined
        : parseVersionPart(req.templateMinorVersion),
    );
  }

  /** Renders the resource as a deployment would and compares with the stack's template. */
  private async compare(
    start: StartDeployment,
    stack: NucleonImportStack,
    version: { major: number; minor: number; bundle: LoadedBundle },
    store: DeploymentStore,
  ): Promise<Planned> {
    const r = start.resource;
    const templateKind = r.kind === 'ENVIRONMENT' ? 'environment-template' : 'service-template';
    const rendered = await renderDeployment({
      store,
      renderer: this.d.renderer,
      bundle: version.bundle,
      resource: r,
      accountId: this.d.accountId,
      deployment: { id: start.deployment.id, operation: 'DEPLOY' },
      templateArn: protonArn(this.d.arnScope, `${templateKind}/${r.templateName}`),
      environmentArn: r.environmentName
        ? protonArn(this.d.arnScope, `environment/${r.environmentName}`)
        : undefined,
    });
    const text = rendered.templateFile ? rendered.files.get(rendered.templateFile) : undefined;
    if (typeof text !== 'string')
      throw new ValidationError(
        `${r.templateName}:${version.major}.${version.minor} renders no CloudFormation template for ${stack.target}.`,
      );
    let compared: { equal: boolean; diff: string };
    try {
      compared = compareStackTemplates(text, stack.template);
    } catch (error) {
      throw new ValidationError(
        `stacks: the template of stack ${stack.stackName} cannot be read: ${(error as Error).message}`,
      );
    }
    start.deployment.rendered = rendered.visible;
    return {
      start,
      stack,
      result: {
        target: stack.target,
        stackName: stack.stackName,
        match: compared.equal ? 'EXACT' : 'DIFFERENT',
        ...(compared.equal ? {} : { diff: compared.diff }),
        adopted: false,
      },
    };
  }
}

function requireCloudFormation(
  bundle: LoadedBundle,
  part: 'environment' | 'instance',
  req: ProtonImportRequest,
): void {
  const folder = part === 'environment' ? bundle.environment : bundle.instance;
  if (folder?.engine !== 'cloudformation')
    throw new ValidationError(
      `${req.templateName}:${req.templateMajorVersion} provisions its ${part} with ${folder?.engine ?? 'nothing'}; importing from Proton adopts CloudFormation stacks only so far.`,
    );
}
