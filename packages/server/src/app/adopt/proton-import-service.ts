import { ConflictError } from '@nucleon/core';
import type { NucleonImportResult, ProtonImportRequest } from '@nucleon/protocol';
import type { ResourceKey, ResourceRecord } from '../../ports/deployment-store.js';
import {
  ADOPTED,
  ProtonImportPlanner,
  adoptionOf,
  bindingFor,
  bindingName,
  type Binding,
  type ProtonImportDeps,
} from './proton-import-plan.js';

export type { ProtonImportDeps } from './proton-import-plan.js';

const what = (req: ProtonImportRequest) =>
  req.kind === 'SERVICE' ? 'service' : req.kind === 'COMPONENT' ? 'component' : 'environment';

/** The record a stack target of an import request is bound to. */
function keyOf(req: ProtonImportRequest, target: string): ResourceKey {
  if (req.kind === 'ENVIRONMENT') return { kind: 'ENVIRONMENT', serviceName: '', name: req.name };
  if (req.kind === 'COMPONENT') return { kind: 'COMPONENT', serviceName: '', name: req.name };
  return target === 'pipeline'
    ? { kind: 'SERVICE_PIPELINE', serviceName: req.name, name: 'pipeline' }
    : { kind: 'SERVICE_INSTANCE', serviceName: req.name, name: target.replace(/^instance\//, '') };
}

/**
 * `nucleon import proton` on the server (ADR 0021, 0028): renders the registered template version
 * (a component: its own template file) with the resource's spec, compares it with the template
 * each of the resource's stacks runs now, and adopts — creates the records bound to those very
 * stacks, with their outputs, as succeeded deployments and no job. Nothing is sent to
 * CloudFormation: the stacks' next deployment is a normal change-set update that also adds
 * Nucleon's ownership tags.
 */
export class ProtonImportService {
  private readonly planner: ProtonImportPlanner;

  constructor(private readonly d: ProtonImportDeps) {
    this.planner = new ProtonImportPlanner(d);
  }

  async match(req: ProtonImportRequest): Promise<{ results: NucleonImportResult[] }> {
    const existing = await this.alreadyAdopted(req);
    if (existing) return { results: existing };
    const plan = await this.planner.plan(req);
    return { results: plan.items.map((p) => p.result) };
  }

  async adopt(
    req: ProtonImportRequest,
  ): Promise<{ results: NucleonImportResult[]; adopted: boolean }> {
    const existing = await this.alreadyAdopted(req);
    if (existing) return { results: existing, adopted: true };
    const plan = await this.planner.plan(req);
    const differing = plan.items.filter((p) => p.result.match === 'DIFFERENT');
    if (differing.length > 0 && !req.acceptDifferences) {
      for (const p of differing)
        p.result.message = `not adopted: the stack's template differs from what ${req.kind === 'COMPONENT' ? 'the component template file' : req.templateName} renders with this spec. Fix the spec (or register the version Proton deployed), or adopt anyway with --accept-differences (the resource is then shown as drifted).`;
      return { results: plan.items.map((p) => p.result), adopted: false };
    }
    const now = this.d.clock.now();
    const adoptions = plan.items.map((p) => {
      const adopted = adoptionOf(p, now);
      p.result.adopted = true;
      p.result.message = adopted.deployment.statusMessage ?? ADOPTED;
      return adopted;
    });
    const service = plan.service ? { ...plan.service, status: 'ACTIVE' } : undefined;
    if (!(await this.d.store.adoptResources({ ...(service ? { service } : {}), adoptions }))) {
      throw new ConflictError(
        `The ${what(req)} ${req.name} was created at the same time. Run the import again: it reports what is adopted already.`,
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
    const bound: Array<{ record: ResourceRecord | undefined; binding: Binding }> = [];
    if (req.kind === 'SERVICE') {
      if (!(await this.d.store.getService(req.name))) return undefined;
      for (const t of [...req.stacks, ...(req.folders ?? [])]) {
        const binding = bindingFor(req, t.target);
        bound.push({ record: await this.d.store.getResource(keyOf(req, t.target)), binding });
      }
    } else {
      const target = req.kind === 'COMPONENT' ? 'component' : 'environment';
      const record = await this.d.store.getResource(keyOf(req, target));
      if (!record) return undefined;
      bound.push({ record, binding: bindingFor(req, target) });
    }
    const results: NucleonImportResult[] = [];
    for (const { record, binding } of bound) {
      const target = 'stack' in binding ? binding.stack.target : binding.folder.target;
      const same =
        'stack' in binding
          ? record?.engineName === binding.stack.stackName &&
            record.settings.adoptedStackId === binding.stack.stackId
          : record?.settings.adoptedFolder === binding.folder.folder;
      if (!record || !same) {
        throw new ConflictError(
          `${req.kind === 'ENVIRONMENT' ? 'An' : 'A'} ${what(req)} named ${req.name} already exists in Nucleon and ${target} is not bound to ${bindingName(binding)}. Nothing was changed. Delete or rename the Nucleon resource, or leave this one out of the import.`,
        );
      }
      results.push({
        target,
        stackName: 'stack' in binding ? binding.stack.stackName : '',
        ...('folder' in binding ? { folder: binding.folder.folder } : {}),
        match: record.settings.adoptedWithDifferences ? 'DIFFERENT' : 'EXACT',
        adopted: true,
        message: `already ${ADOPTED} (${bindingName(binding)}); nothing changed.`,
      });
    }
    return results;
  }
}
