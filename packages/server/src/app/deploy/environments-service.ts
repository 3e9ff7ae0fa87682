import {
  ConflictError,
  NotFoundError,
  ValidationError,
  parseVersionPart,
  protonArn,
  resolveTargetVersion,
  substituteCurrentValues,
  type DeploymentUpdateType,
} from '@nucleon/core';
import { parseEnvironmentSpec } from '@nucleon/templates';
import type { ResourceKey, ResourceRecord } from '../../ports/deployment-store.js';
import { Pager } from '../pagination.js';
import { refs } from '../template-views.js';
import {
  checkInputs,
  requireIdle,
  startOrConflict,
  versionForCreate,
  type DeployDeps,
} from './deploy-context.js';
import { planDelete } from './plan-delete.js';
import { planDeployment } from './plan-deployment.js';
import { environmentSummaryView, environmentView } from './resource-views.js';
import { engineOf } from './engine-of.js';
import { withInputWarnings } from './input-warnings.js';

const envKey = (name: string): ResourceKey => ({ kind: 'ENVIRONMENT', serviceName: '', name });

const SETTING_KEYS = [
  'description',
  'protonServiceRoleArn',
  'codebuildRoleArn',
  'componentRoleArn',
  'provisioningRepository',
] as const;

/** The spec's inputs and the keys of the spec file that are ignored (warnings). */
function parseSpecFile(spec: string): { inputs: Record<string, unknown>; warnings: string[] } {
  try {
    const parsed = parseEnvironmentSpec(spec);
    return { inputs: parsed.spec, warnings: [...parsed.warnings] };
  } catch (error) {
    throw new ValidationError(`spec: ${(error as Error).message}`);
  }
}

/** Environments: create, read, update (four deployment types), delete, cancel, outputs. */
export class EnvironmentsService {
  constructor(private readonly d: DeployDeps) {}

  async require(name: string): Promise<ResourceRecord> {
    const env = await this.d.store.getResource(envKey(name));
    if (!env)
      throw new NotFoundError(
        `The environment ${name} does not exist. List environments to see the names.`,
      );
    return env;
  }

  async create(
    input: Record<string, unknown> & {
      name: string;
      templateName: string;
      templateMajorVersion: string;
      templateMinorVersion?: string;
      spec: string;
      tags?: Array<{ key: string; value: string }>;
    },
  ) {
    const template = await this.d.catalog.getTemplate('ENVIRONMENT', input.templateName);
    const version = await versionForCreate(
      this.d,
      'ENVIRONMENT',
      input.templateName,
      parseVersionPart(input.templateMajorVersion),
      input.templateMinorVersion === undefined
        ? undefined
        : parseVersionPart(input.templateMinorVersion),
    );
    const file = parseSpecFile(input.spec);
    const { inputs, warnings } = checkInputs(version.bundle, 'environment', file.inputs, 'spec');
    // Proton answers ConflictException for a name in use, after the request itself is checked.
    if (await this.d.store.getResource(envKey(input.name))) {
      throw new ConflictError(
        `An environment named ${input.name} already exists. Choose another name, or change it with UpdateEnvironment.`,
      );
    }
    const now = this.d.clock.now();
    const settings: Record<string, unknown> = withInputWarnings({ inputs }, [
      ...file.warnings,
      ...warnings,
    ]);
    for (const k of SETTING_KEYS) if (input[k] !== undefined) settings[k] = input[k];
    if (typeof input.environmentAccountConnectionId === 'string')
      Object.assign(settings, await this.connectionSettings(input, input.name));
    if (template?.provisioning === 'CUSTOMER_MANAGED') settings.provisioning = 'CUSTOMER_MANAGED';
    const arn = protonArn(this.d.arnScope, `environment/${input.name}`);
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now,
      current: undefined,
      next: {
        kind: 'ENVIRONMENT',
        serviceName: '',
        name: input.name,
        arn,
        environmentName: input.name,
        templateName: input.templateName,
        templateMajor: version.major,
        templateMinor: version.minor,
        spec: input.spec,
        settings,
        lastSucceededDeploymentId: null,
        createdAt: now,
      },
      operation: 'DEPLOY',
      engine: engineOf(version.bundle.environment, settings, this.d.terraformCli),
    });
    if (!(await this.d.store.createResources({ starts: [start] }))) {
      throw new ConflictError(
        `An environment named ${input.name} was created at the same time. Get it, or choose another name.`,
      );
    }
    if (input.tags?.length) await this.d.catalog.putTags(arn, input.tags);
    this.d.poke();
    return environmentView(start.resource);
  }

  /**
   * The settings of an environment provisioned through an account connection (spec §7): the
   * connection replaces protonServiceRoleArn and excludes provisioningRepository; it must be
   * CONNECTED, of this account, and for this environment.
   */
  private async connectionSettings(
    input: Record<string, unknown> & { environmentAccountConnectionId?: unknown },
    environmentName: string,
  ): Promise<Record<string, unknown>> {
    const id = String(input.environmentAccountConnectionId);
    if (input.protonServiceRoleArn !== undefined)
      throw new ValidationError(
        "Give either environmentAccountConnectionId or protonServiceRoleArn, not both: an environment provisioned through an account connection uses the connection's roleArn.",
      );
    if (input.provisioningRepository !== undefined)
      throw new ValidationError(
        'Give either environmentAccountConnectionId or provisioningRepository, not both: account connections are for AWS-managed and CodeBuild provisioning; self-managed automation assumes its own roles.',
      );
    if (!this.d.connections)
      throw new ValidationError(
        'environmentAccountConnectionId: this Nucleon has no environment account connections configured.',
      );
    const c = await this.d.connections.requireUsable(id, environmentName);
    return { environmentAccountConnectionId: c.id, environmentAccountId: c.environmentAccountId };
  }

  async get(name: string) {
    return environmentView(await this.require(name));
  }

  async list(input: {
    nextToken?: string;
    maxResults?: number;
    environmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
  }) {
    const templates = input.environmentTemplates?.map((f) => ({
      templateName: f.templateName,
      major: Number(f.majorVersion),
    }));
    const pager = new Pager('ListEnvironments', { templates: input.environmentTemplates }, input);
    const rows = await this.d.store.pageResources(
      { kind: 'ENVIRONMENT', serviceName: '', templates },
      pager.window,
    );
    const page = pager.page(rows, (e) => e.name);
    return { environments: page.items.map(environmentSummaryView), nextToken: page.nextToken };
  }

  async update(
    input: Record<string, unknown> & {
      name: string;
      deploymentType: DeploymentUpdateType;
      spec?: string;
      templateMajorVersion?: string;
      templateMinorVersion?: string;
    },
  ) {
    const env = await this.require(input.name);
    const settings = { ...env.settings };
    for (const k of SETTING_KEYS) if (input[k] !== undefined) settings[k] = input[k];
    if (input.environmentAccountConnectionId !== undefined) {
      // Only to another connection of the same environment account for this environment (spec §2.4).
      if (typeof env.settings.environmentAccountConnectionId !== 'string')
        throw new ValidationError(
          `The environment ${env.name} is not provisioned through an environment account connection, and cannot be connected to one: leave out environmentAccountConnectionId (create a new environment with it instead).`,
        );
      const next = await this.connectionSettings(input, env.name);
      if (next.environmentAccountId !== env.settings.environmentAccountId)
        throw new ValidationError(
          `environmentAccountConnectionId: the connection ${String(next.environmentAccountConnectionId)} is from account ${String(next.environmentAccountId)}, but the environment ${env.name} is provisioned in account ${String(env.settings.environmentAccountId)}. Use a connection of that account.`,
        );
      Object.assign(settings, next);
    } else if (
      input.protonServiceRoleArn !== undefined &&
      typeof env.settings.environmentAccountConnectionId === 'string'
    ) {
      throw new ValidationError(
        `The environment ${env.name} is provisioned through the environment account connection ${env.settings.environmentAccountConnectionId}: update the connection's roleArn (UpdateEnvironmentAccountConnection) or give another environmentAccountConnectionId, not protonServiceRoleArn.`,
      );
    }
    if (input.deploymentType === 'NONE') {
      if (input.spec !== undefined)
        throw new ValidationError(
          'spec cannot change with deploymentType NONE; use CURRENT_VERSION to redeploy with a new spec.',
        );
      requireIdle(env, `The environment ${env.name}`);
      return environmentView((await this.d.store.updateResourceSettings(env, settings))!);
    }
    const versions = refs(await this.d.catalog.listVersions('ENVIRONMENT', env.templateName));
    const target = resolveTargetVersion(
      input.deploymentType,
      { major: env.templateMajor, minor: env.templateMinor },
      {
        major:
          input.templateMajorVersion === undefined
            ? undefined
            : parseVersionPart(input.templateMajorVersion),
        minor:
          input.templateMinorVersion === undefined
            ? undefined
            : parseVersionPart(input.templateMinorVersion),
      },
      versions,
      true,
    );
    if ('error' in target)
      throw new ValidationError(`Cannot update the environment ${env.name}: ${target.error}.`);
    const bundle = await this.d.bundles.load(
      'ENVIRONMENT',
      env.templateName,
      target.major,
      target.minor,
    );
    const spec = input.spec ?? env.spec ?? '';
    const file = parseSpecFile(spec);
    const { values, missing } = substituteCurrentValues(
      file.inputs,
      (env.settings.inputs as Record<string, unknown>) ?? {},
    );
    if (missing.length)
      throw new ValidationError(
        `spec: \${Proton::CURRENT_VAL} used for ${missing.join(', ')}, which have no current value.`,
      );
    const checked = checkInputs(bundle, 'environment', values, 'spec');
    settings.inputs = checked.inputs;
    const start = planDeployment({
      arnScope: this.d.arnScope,
      now: this.d.clock.now(),
      current: env,
      next: {
        ...env,
        templateMajor: target.major,
        templateMinor: target.minor,
        spec,
        settings: withInputWarnings(settings, [...file.warnings, ...checked.warnings]),
      },
      operation: 'DEPLOY',
      engine: engineOf(bundle.environment, settings, this.d.terraformCli),
    });
    await startOrConflict(this.d, [start], `The environment ${env.name}`);
    return environmentView(start.resource);
  }

  async delete(name: string) {
    const env = await this.d.store.getResource(envKey(name));
    if (!env) return undefined;
    if (env.deploymentStatus === 'DELETE_IN_PROGRESS') return environmentView(env);
    const inside = (await this.d.store.listResources({ environmentName: name })).filter(
      (r) => r.kind === 'SERVICE_INSTANCE' || r.kind === 'COMPONENT',
    );
    if (inside.length > 0) {
      throw new ConflictError(
        `The environment ${name} still has ${inside.map((i) => (i.kind === 'COMPONENT' ? `component ${i.name}` : `service instance ${i.serviceName}/${i.name}`)).join(', ')}. Delete them first.`,
      );
    }
    requireIdle(env, `The environment ${name}`);
    const start = await planDelete(this.d, env, this.d.clock.now());
    // Checked again with the environment row locked: a service instance created meanwhile wins or waits.
    if (!(await this.d.store.startEnvironmentDeletion(start))) {
      throw new ConflictError(
        `The environment ${name} has a deployment in progress. Wait for it to finish, or cancel it, then try again.`,
      );
    }
    this.d.poke();
    return environmentView(start.resource);
  }
}
