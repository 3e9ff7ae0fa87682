import { ValidationError } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { RolloutSelector } from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';

const idOf = (r: { serviceName: string; name: string }) => `${r.serviceName}/${r.name}`;

/** The instances of a template a selector takes, in a stable order (environment, service, name). */
export async function selectInstances(
  d: DeployDeps,
  templateName: string,
  selector: RolloutSelector = {},
): Promise<ResourceRecord[]> {
  const all = (await d.store.listResources({ kind: 'SERVICE_INSTANCE' })).filter(
    (r) => r.templateName === templateName,
  );
  const envs = selector.environments?.length ? new Set(selector.environments) : undefined;
  const services = selector.services?.length ? new Set(selector.services) : undefined;
  const named = selector.instances?.length ? new Set(selector.instances) : undefined;
  if (named)
    for (const n of named)
      if (!all.some((r) => idOf(r) === n))
        throw new ValidationError(
          `selector.instances names ${n}, which is not a service instance of ${templateName}; write service/instance.`,
        );
  let chosen = all.filter(
    (r) =>
      (!envs || envs.has(r.environmentName ?? '')) &&
      (!services || services.has(r.serviceName)) &&
      (!named || named.has(idOf(r))),
  );
  if (selector.tags?.length) {
    const tagged: ResourceRecord[] = [];
    for (const r of chosen) {
      const own = await d.catalog.listTags(r.arn);
      const svc = await d.store.getService(r.serviceName);
      const tags = [...own, ...(svc ? await d.catalog.listTags(svc.arn) : [])];
      if (selector.tags.every((t) => tags.some((x) => x.key === t.key && x.value === t.value)))
        tagged.push(r);
    }
    chosen = tagged;
  }
  return chosen.sort(
    (a, b) =>
      (a.environmentName ?? '').localeCompare(b.environmentName ?? '') ||
      a.serviceName.localeCompare(b.serviceName) ||
      a.name.localeCompare(b.name),
  );
}

/** An instance a rollout to `major.minor` has work for: not already deployed on it. */
export const needsVersion = (r: ResourceRecord, major: number, minor: number): boolean =>
  !(r.templateMajor === major && r.templateMinor === minor && r.deploymentStatus === 'SUCCEEDED');
