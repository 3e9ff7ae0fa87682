import { ValidationError } from '@nucleon/core';
import { instanceTimeSorts, type InstanceFilter } from '../../ports/deployment-store.js';
import { Pager, invalidNextToken, jsonKey } from '../pagination.js';
import type { DeployDeps } from './deploy-context.js';
import { serviceInstanceSummaryView } from './resource-views.js';

const valueFilters = new Set([
  'name',
  'deploymentStatus',
  'templateName',
  'serviceName',
  'environmentName',
  // UP_TO_DATE, BEHIND_MINOR, BEHIND_MAJOR (Proton never documented them; the dashboard's
  // buckets), computed in SQL from the published versions of the instance's template.
  'deployedTemplateVersionStatus',
]);
const dateFilters = new Set([
  'lastDeploymentAttemptedAtBefore',
  'lastDeploymentAttemptedAtAfter',
  'createdAtBefore',
  'createdAtAfter',
]);

function toFilter(f: { key?: string; value?: string }): InstanceFilter | undefined {
  const key = f.key ?? '';
  const value = f.value ?? '';
  if (valueFilters.has(key)) return { key: key as 'name', value };
  if (!dateFilters.has(key)) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new ValidationError(`filters: ${key} needs an RFC 3339 date, got "${value}".`);
  return { key: key as 'createdAtBefore', date: new Date(t) };
}

/**
 * ListServiceInstances with Proton's filters and sorting, paged in SQL (ADR 0029): the token holds
 * the last instance's sort value and ARN, and is bound to the service, filters and sort.
 */
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
  const filters = (input.filters ?? []).flatMap((f) => toFilter(f) ?? []);
  const query = {
    serviceName: input.serviceName,
    filters,
    sortBy: input.sortBy ?? 'serviceName',
    sortOrder: input.sortOrder === 'DESCENDING' ? ('DESCENDING' as const) : ('ASCENDING' as const),
  };
  const pager = new Pager('ListServiceInstances', query, input);
  const after = pager.afterParts(2);
  if (after && instanceTimeSorts.has(query.sortBy) && !/^-?\d{1,19}$/.test(after[0]!))
    throw invalidNextToken();
  const rows = await d.store.pageInstances(query, {
    after: after ? [after[0]!, after[1]!] : undefined,
    limit: pager.limit,
  });
  const page = pager.page(rows, (r) => jsonKey(r.sortKey, r.resource.arn));
  return {
    serviceInstances: page.items.map((r) => serviceInstanceSummaryView(r.resource)),
    nextToken: page.nextToken,
  };
}
