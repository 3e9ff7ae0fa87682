import {
  AccessDeniedError,
  NotFoundError,
  ValidationError,
  parseProtonArn,
  recommendedMinorVersion,
  recommendedVersion,
} from '@nucleon/core';
import type { DeploymentRecord, ResourceKey } from '../../ports/deployment-store.js';
import { Pager, invalidNextToken } from '../pagination.js';
import type { Principal } from '../request-context.js';
import { refs } from '../template-views.js';
import type { DeployDeps } from './deploy-context.js';
import { deploymentSummaryView, deploymentView } from './resource-views.js';

/** The key a ListDeployments token names: `<created at in ms>:<id>` of the last one listed. */
function deploymentKey(key: string): { createdAt: Date; id: string } {
  const m = /^(\d+):(.+)$/.exec(key);
  if (!m) throw invalidNextToken();
  return { createdAt: new Date(Number(m[1])), id: m[2]! };
}

/** The resource an ARN names, for NotifyResourceDeploymentStatusChange. */
export function keyOfArn(arn: string): ResourceKey | undefined {
  const p = parseProtonArn(arn);
  if (!p) return undefined;
  if (p.resourceType === 'environment')
    return { kind: 'ENVIRONMENT', serviceName: '', name: p.resource };
  if (p.resourceType === 'component')
    return { kind: 'COMPONENT', serviceName: '', name: p.resource };
  const inst = /^([^/]+)\/service-instance\/([^/]+)$/.exec(p.resource);
  if (p.resourceType === 'service' && inst)
    return { kind: 'SERVICE_INSTANCE', serviceName: inst[1]!, name: inst[2]! };
  const pipe = /^([^/]+)\/pipeline(?:\/.*)?$/.exec(p.resource);
  if (p.resourceType === 'service' && pipe)
    return { kind: 'SERVICE_PIPELINE', serviceName: pipe[1]!, name: 'pipeline' };
  return undefined;
}

/** Deployment history, the notify callback, the dashboard summary and deployment details. */
export class DeploymentsService {
  constructor(private readonly d: DeployDeps) {}

  async require(id: string): Promise<DeploymentRecord> {
    const dep = await this.d.store.getDeployment(id);
    if (!dep)
      throw new NotFoundError(
        `The deployment ${id} does not exist. List deployments to see their ids.`,
      );
    return dep;
  }

  async list(input: {
    environmentName?: string;
    serviceName?: string;
    serviceInstanceName?: string;
    componentName?: string;
    nextToken?: string;
    maxResults?: number;
  }) {
    if (input.serviceInstanceName && !input.serviceName)
      throw new ValidationError('serviceInstanceName needs serviceName.');
    const filter = {
      environmentName: input.environmentName,
      serviceName: input.serviceName,
      serviceInstanceName: input.serviceInstanceName,
      componentName: input.componentName,
    };
    const pager = new Pager('ListDeployments', filter, input);
    const rows = await this.d.store.pageDeployments(filter, {
      after: pager.after === undefined ? undefined : deploymentKey(pager.after),
      limit: pager.limit,
    });
    const page = pager.page(rows, (d) => `${d.createdAt.getTime()}:${d.id}`);
    return { deployments: page.items.map(deploymentSummaryView), nextToken: page.nextToken };
  }

  async get(input: {
    id: string;
    environmentName?: string;
    serviceName?: string;
    serviceInstanceName?: string;
  }) {
    const dep = await this.require(input.id);
    if (input.environmentName && dep.environmentName !== input.environmentName)
      throw new NotFoundError(
        `The deployment ${input.id} is not a deployment of environment ${input.environmentName}.`,
      );
    if (input.serviceName && dep.target.serviceName !== input.serviceName)
      throw new NotFoundError(
        `The deployment ${input.id} is not a deployment of service ${input.serviceName}.`,
      );
    return { deployment: deploymentView(dep) };
  }

  async delete(id: string) {
    const dep = await this.require(id);
    if (!(await this.d.store.deleteDeployment(id)))
      throw new ValidationError(
        `The deployment ${id} is still running; cancel it or wait for it to end before deleting its record.`,
      );
    return { deployment: deploymentView(dep) };
  }

  /**
   * Outputs and status reported by the commands or automation that provisions a resource. A
   * caller with scoped deployment credentials may report only on its own resource.
   */
  async notify(
    input: {
      resourceArn: string;
      deploymentId?: string;
      status?: string;
      statusMessage?: string;
      outputs?: Array<{ key?: string; valueString?: string }>;
    },
    principal: Principal,
  ) {
    if (principal.kind === 'scoped' && principal.scopeArn !== input.resourceArn) {
      throw new AccessDeniedError(
        `These deployment credentials may only report on ${principal.scopeArn}, not ${input.resourceArn}.`,
      );
    }
    const key = keyOfArn(input.resourceArn);
    const resource = key ? await this.d.store.getResource(key) : undefined;
    if (!resource) throw new NotFoundError(`The resource ${input.resourceArn} does not exist.`);
    const id = input.deploymentId ?? resource.lastAttemptedDeploymentId;
    const dep = id ? await this.d.store.getDeployment(id) : undefined;
    if (!dep || dep.targetArn !== resource.arn)
      throw new NotFoundError(
        `The deployment ${id ?? '(none)'} of ${input.resourceArn} does not exist.`,
      );
    const outputs = Object.fromEntries(
      (input.outputs ?? []).filter((o) => o.key).map((o) => [o.key!, o.valueString ?? '']),
    );
    if (Object.keys(outputs).length) await this.d.store.mergeOutputs(dep.id, outputs);
    if (input.status === 'SUCCEEDED' || input.status === 'FAILED') {
      // Self-managed provisioning ends here; CodeBuild-style runs end with their exit status.
      if (dep.engine !== 'codebuild') {
        const deleting = dep.operation === 'DELETE';
        const status =
          input.status === 'SUCCEEDED'
            ? deleting
              ? 'DELETE_COMPLETE'
              : 'SUCCEEDED'
            : deleting
              ? 'DELETE_FAILED'
              : 'FAILED';
        // The service's reconcile is enqueued in the same transaction; wake the worker for it.
        if (
          await this.d.store.finishDeployment(dep.id, {
            status,
            message: input.statusMessage ?? null,
          })
        )
          this.d.poke();
      }
    }
    return {};
  }

  /** Nucleon extension: a deployment's state, its full log and the exact files it rendered. */
  async details(input: { id: string; afterEventId?: number; includeRendered?: boolean }) {
    const dep = await this.require(input.id);
    const events = await this.d.store.listEvents(dep.id, input.afterEventId ?? 0);
    return {
      deployment: deploymentView(dep),
      engine: dep.engine,
      operation: dep.operation,
      outputs: Object.entries(dep.outputs ?? {}).map(([key, valueString]) => ({
        key,
        valueString,
      })),
      events: events.map((e) => ({ id: e.id, at: e.at, kind: e.kind, message: e.message })),
      renderedFiles:
        input.includeRendered === false
          ? undefined
          : Object.entries(dep.rendered ?? {}).map(([path, content]) => ({ path, content })),
    };
  }

  /** GetResourcesSummary: totals, failures and staleness per resource kind. */
  async summary() {
    const resources = await this.d.store.listResources({});
    // One versions query per template, not per resource.
    const versionsOf = new Map<string, Promise<ReturnType<typeof refs>>>();
    const versions = (kind: 'ENVIRONMENT' | 'SERVICE', name: string) => {
      const key = `${kind}:${name}`;
      let v = versionsOf.get(key);
      if (!v) versionsOf.set(key, (v = this.d.catalog.listVersions(kind, name).then(refs)));
      return v;
    };
    const counts = async (kind: string, templateKind: 'ENVIRONMENT' | 'SERVICE') => {
      const rs = resources.filter((r) => r.kind === kind);
      let upToDate = 0,
        behindMinor = 0,
        behindMajor = 0;
      for (const r of rs) {
        const known = await versions(templateKind, r.templateName);
        const top = recommendedVersion(known);
        const minor = recommendedMinorVersion(known, r.templateMajor);
        if (top && top.major > r.templateMajor) behindMajor++;
        else if (minor !== undefined && minor > r.templateMinor) behindMinor++;
        else upToDate++;
      }
      return {
        total: rs.length,
        failed: rs.filter((r) => r.deploymentStatus.endsWith('FAILED')).length,
        upToDate,
        behindMinor,
        behindMajor,
      };
    };
    const services = await this.d.store.listServices();
    const envTemplates = await this.d.catalog.listTemplates('ENVIRONMENT', { limit: 10_000 });
    const svcTemplates = await this.d.catalog.listTemplates('SERVICE', { limit: 10_000 });
    return {
      counts: {
        environmentTemplates: { total: envTemplates.length },
        serviceTemplates: { total: svcTemplates.length },
        environments: await counts('ENVIRONMENT', 'ENVIRONMENT'),
        serviceInstances: await counts('SERVICE_INSTANCE', 'SERVICE'),
        pipelines: await counts('SERVICE_PIPELINE', 'SERVICE'),
        services: {
          total: services.length,
          failed: services.filter((s) => s.status.includes('FAILED')).length,
        },
        // Components have no template, so no staleness: Proton reports only total and failed.
        components: {
          total: resources.filter((r) => r.kind === 'COMPONENT').length,
          failed: resources.filter(
            (r) => r.kind === 'COMPONENT' && r.deploymentStatus.endsWith('FAILED'),
          ).length,
        },
      },
    };
  }
}
