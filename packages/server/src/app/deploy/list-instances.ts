import { ValidationError, recommendedMinorVersion, recommendedVersion } from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import { pageOf } from '../pagination.js';
import { refs } from '../template-views.js';
import type { DeployDeps } from './deploy-context.js';
import { serviceInstanceView } from './resource-views.js';

/**
 * `deployedTemplateVersionStatus` values (Proton never documented them): UP_TO_DATE,
 * BEHIND_MINOR, BEHIND_MAJOR — the dashboard's buckets.
 */
export async function versionStatus(
  d: DeployDeps,
  r: ResourceRecord,
): Promise<'UP_TO_DATE' | 'BEHIND_MINOR' | 'BEHIND_MAJOR'> {
  const versions = refs(await d.catalog.listVersions('SERVICE', r.templateName));
  const top = recommendedVersion(versions);
  if (top && top.major > r.templateMajor) return 'BEHIND_MAJOR';
  const minor = recommendedMinorVersion(versions, r.templateMajor);
  return minor !== undefined && minor > r.templateMinor ? 'BEHIND_MINOR' : 'UP_TO_DATE';
}

const sortKeys: Record<string, (r: ResourceRecord) => string> = {
  name: (r) => r.name,
  deploymentStatus: (r) => r.deploymentStatus,
  templateName: (r) => r.templateName,
  serviceName: (r) => `${r.serviceName}\u0000${r.name}`,
  environmentName: (r) => r.environmentName ?? '',
  lastDeploymentAttemptedAt: (r) => r.lastDeploymentAttemptedAt.toISOString(),
  createdAt: (r) => r.createdAt.toISOString(),
};

/** ListServiceInstances with Proton's filters and sorting. */
export async function listInstances(
  d: DeployDeps,
  input: {
    serviceName?: string;
    filters?: Array<{ key?: string; value?: string }>;
    sortBy?: string;
    sortOrder?: string;
    nextToken?: string;
    maxResults?: number;
  },
) {
  let items = await d.store.listResources({
    kind: 'SERVICE_INSTANCE',
    ...(input.serviceName ? { serviceName: input.serviceName } : {}),
  });
  for (const f of input.filters ?? []) {
    const value = f.value ?? '';
    const date = () => {
      const t = Date.parse(value);
      if (Number.isNaN(t))
        throw new ValidationError(`filters: ${f.key} needs an RFC 3339 date, got "${value}".`);
      return t;
    };
    const keep: Record<string, (r: ResourceRecord) => boolean | Promise<boolean>> = {
      name: (r) => r.name === value,
      deploymentStatus: (r) => r.deploymentStatus === value,
      templateName: (r) => r.templateName === value,
      serviceName: (r) => r.serviceName === value,
      environmentName: (r) => r.environmentName === value,
      deployedTemplateVersionStatus: async (r) => (await versionStatus(d, r)) === value,
      lastDeploymentAttemptedAtBefore: (r) => r.lastDeploymentAttemptedAt.getTime() < date(),
      lastDeploymentAttemptedAtAfter: (r) => r.lastDeploymentAttemptedAt.getTime() > date(),
      createdAtBefore: (r) => r.createdAt.getTime() < date(),
      createdAtAfter: (r) => r.createdAt.getTime() > date(),
    };
    const test = keep[f.key ?? ''];
    if (!test) continue;
    const flags = await Promise.all(items.map((r) => Promise.resolve(test(r))));
    items = items.filter((_, i) => flags[i]);
  }
  const key = sortKeys[input.sortBy ?? 'serviceName'] ?? sortKeys.serviceName!;
  items.sort((a, b) => key(a).localeCompare(key(b)) || a.arn.localeCompare(b.arn));
  if (input.sortOrder === 'DESCENDING') items.reverse();
  const indexed = items.map((r, i) => ({ r, k: String(i).padStart(8, '0') }));
  const page = pageOf(indexed, (x) => x.k, input.nextToken, input.maxResults);
  return {
    serviceInstances: page.items.map((x) => serviceInstanceView(x.r)),
    nextToken: page.nextToken,
  };
}
