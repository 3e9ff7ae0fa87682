import { ValidationError } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { RolloutSelector, RolloutTemplateKind } from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';

/**
 * How a rollout names a member: `service/instance` for a service instance, the environment's
 * name for an environment (environments have no service: their service name is empty).
 */
export const memberId = (r: { serviceName: string; name: string }) =>
  r.serviceName ? `${r.serviceName}/${r.name}` : r.name;

/**
 * The resources of a template a selector takes, in a stable order: for a service template its
 * instances (environment, service, name); for an environment template the environments deployed
 * from it (name).
 */
export async function selectInstances(
  d: DeployDeps,
  kind: RolloutTemplateKind,
  templateName: string,
  selector: RolloutSelector = {},
): Promise<ResourceRecord[]> {
  if (kind === 'ENVIRONMENT') return selectEnvironments(d, templateName, selector);
  const all = (await d.store.listResources({ kind: 'SERVICE_INSTANCE' })).filter(
    (r) => r.templateName === templateName,
  );
  const envs = selector.environments?.length ? new Set(selector.environments) : undefined;
  const services = selector.services?.length ? new Set(selector.services) : undefined;
  const named = selector.instances?.length ? new Set(selector.instances) : undefined;
  if (named)
    for (const n of named)
      if (!all.some((r) => memberId(r) === n))
        throw new ValidationError(
          `selector.instances names ${n}, which is not a service instance of ${templateName}; write service/instance.`,
        );
  const chosen = all.filter(
    (r) =>
      (!envs || envs.has(r.environmentName ?? '')) &&
      (!services || services.has(r.serviceName)) &&
      (!named || named.has(memberId(r))),
  );
  return (await byTags(d, chosen, selector, true)).sort(
    (a, b) =>
      (a.environmentName ?? '').localeCompare(b.environmentName ?? '') ||
      a.serviceName.localeCompare(b.serviceName) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * Environments of an environment template: `environments` and `instances` both name
 * environments (a list), `tags` match the environment's own tags; `services` has no meaning.
 */
async function selectEnvironments(
  d: DeployDeps,
  templateName: string,
  selector: RolloutSelector,
): Promise<ResourceRecord[]> {
  if (selector.services?.length)
    throw new ValidationError(
      `selector.services does not apply to the environment template ${templateName}: a rollout of an environment template moves environments. Select them with selector.environments (names) or selector.tags.`,
    );
  const all = (await d.store.listResources({ kind: 'ENVIRONMENT' })).filter(
    (r) => r.templateName === templateName,
  );
  const named = [...(selector.environments ?? []), ...(selector.instances ?? [])];
  for (const n of named)
    if (!all.some((r) => r.name === n))
      throw new ValidationError(
        `The selector names the environment ${n}, which is not an environment of the environment template ${templateName}. List environments to see which template each is deployed from.`,
      );
  const names = named.length ? new Set(named) : undefined;
  const chosen = all.filter((r) => !names || names.has(r.name));
  return (await byTags(d, chosen, selector, false)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The resources carrying every selector tag (on themselves or, for instances, their service). */
async function byTags(
  d: DeployDeps,
  chosen: ResourceRecord[],
  selector: RolloutSelector,
  withService: boolean,
): Promise<ResourceRecord[]> {
  if (!selector.tags?.length) return chosen;
  const tagged: ResourceRecord[] = [];
  for (const r of chosen) {
    const own = await d.catalog.listTags(r.arn);
    const svc = withService ? await d.store.getService(r.serviceName) : undefined;
    const tags = [...own, ...(svc ? await d.catalog.listTags(svc.arn) : [])];
    if (selector.tags.every((t) => tags.some((x) => x.key === t.key && x.value === t.value)))
      tagged.push(r);
  }
  return tagged;
}

/** A resource a rollout to `major.minor` has work for: not already deployed on it. */
export const needsVersion = (r: ResourceRecord, major: number, minor: number): boolean =>
  !(r.templateMajor === major && r.templateMinor === minor && r.deploymentStatus === 'SUCCEEDED');
