import { useState, type ReactNode } from 'react';
import type {
  CountsSummary,
  ResourceCountsSummary,
  ServiceInstanceSummary,
} from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { newerVersion } from '../api/template-calls.js';
import { GettingStarted } from '../components/getting-started.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import {
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  Section,
  StatusBadge,
  TimeAgo,
  isRunning,
  version,
} from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, pathOf } from '../router.js';

const cards: Array<{ key: keyof CountsSummary; label: string; to: string; staleness: boolean }> = [
  { key: 'environments', label: 'Environments', to: '/environments', staleness: true },
  { key: 'serviceInstances', label: 'Service instances', to: '/services', staleness: true },
  { key: 'pipelines', label: 'Pipelines', to: '/services', staleness: true },
  { key: 'services', label: 'Services', to: '/services', staleness: false },
  {
    key: 'environmentTemplates',
    label: 'Environment templates',
    to: '/templates',
    staleness: false,
  },
  { key: 'serviceTemplates', label: 'Service templates', to: '/templates', staleness: false },
];

function CountCard(props: {
  label: string;
  to: string;
  counts: ResourceCountsSummary | undefined;
  staleness: boolean;
}): ReactNode {
  const c = props.counts ?? { total: 0 };
  const rows: Array<[string, number | undefined, string]> = props.staleness
    ? [
        ['Up to date', c.upToDate, 'ok'],
        ['Behind minor', c.behindMinor, 'warn'],
        ['Behind major', c.behindMajor, 'warn'],
        ['Failed', c.failed, 'bad'],
      ]
    : c.failed !== undefined
      ? [['Failed', c.failed, 'bad']]
      : [];
  return (
    <div className="count-card" data-kind={props.label}>
      <Link to={props.to} className="count-card-title">
        {props.label}
      </Link>
      <div className="count-total">{c.total}</div>
      {rows.length > 0 && (
        <dl className="count-rows">
          {rows.map(([label, n, tone]) => (
            <div key={label} className={n ? `count-${tone}` : undefined}>
              <dt>{label}</dt>
              <dd>{n ?? 0}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

interface InstanceRow extends ServiceInstanceSummary {
  /** The recommended version of the template when it is newer than the deployed one. */
  available?: string;
}

const columns: Column<InstanceRow>[] = [
  {
    key: 'name',
    label: 'Instance',
    sortValue: (r) => r.name,
    render: (r) => (
      <Link to={pathOf('services', r.serviceName, 'instances', r.name)}>{r.name}</Link>
    ),
  },
  {
    key: 'service',
    label: 'Service',
    sortValue: (r) => r.serviceName,
    render: (r) => <Link to={pathOf('services', r.serviceName)}>{r.serviceName}</Link>,
  },
  {
    key: 'environment',
    label: 'Environment',
    sortValue: (r) => r.environmentName,
    render: (r) => <Link to={pathOf('environments', r.environmentName)}>{r.environmentName}</Link>,
  },
  {
    key: 'template',
    label: 'Template',
    sortValue: (r) => r.templateName,
    render: (r) => (
      <Link to={pathOf('templates', 'service', r.templateName)}>{r.templateName}</Link>
    ),
  },
  {
    key: 'version',
    label: 'Version',
    sortValue: (r) => Number(r.templateMajorVersion) * 100_000 + Number(r.templateMinorVersion),
    render: (r) => (
      <>
        {version(r.templateMajorVersion, r.templateMinorVersion)}
        {r.available && <span className="update-available"> → {r.available} available</span>}
      </>
    ),
  },
  {
    key: 'status',
    label: 'Deployment',
    sortValue: (r) => r.deploymentStatus,
    render: (r) => <StatusBadge status={r.deploymentStatus} />,
  },
  {
    key: 'attempted',
    label: 'Last deployment',
    sortValue: (r) => r.lastDeploymentAttemptedAt.getTime(),
    render: (r) => <TimeAgo date={r.lastDeploymentAttemptedAt} />,
  },
];

/** Counts per resource kind, and every service instance with its version and state. */
export function DashboardPage(): ReactNode {
  const [filter, setFilter] = useState('');
  const canCreateService = useCan('services:write');
  const query = useQuery(
    async () => {
      const [summary, instances, serviceTemplates] = await Promise.all([
        api.call('GetResourcesSummary', {}),
        listAll(
          (nextToken) => api.call('ListServiceInstances', { nextToken }),
          (o) => o.serviceInstances,
        ),
        listAll(
          (nextToken) => api.call('ListServiceTemplates', { nextToken }),
          (o) => o.templates,
        ),
      ]);
      const recommended = new Map(serviceTemplates.map((t) => [t.name, t.recommendedVersion]));
      const rows: InstanceRow[] = instances.map((i) => {
        const available = newerVersion(
          recommended.get(i.templateName),
          i.templateMajorVersion,
          i.templateMinorVersion,
        );
        return available ? { ...i, available } : i;
      });
      return { counts: summary.counts, rows };
    },
    [],
    { pollMs: 3000, pollWhile: (data) => !!data?.rows.some((r) => isRunning(r.deploymentStatus)) },
  );

  const counts = query.data?.counts;
  const noTemplates =
    counts &&
    (counts.environmentTemplates?.total ?? 0) === 0 &&
    (counts.serviceTemplates?.total ?? 0) === 0;
  const needle = filter.trim().toLowerCase();
  const rows = (query.data?.rows ?? []).filter(
    (r) =>
      !needle ||
      [r.name, r.serviceName, r.environmentName, r.templateName, r.deploymentStatus].some((v) =>
        v.toLowerCase().includes(needle),
      ),
  );

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle="What runs on this Nucleon, and what is behind its template's recommended version."
      />
      <ErrorBanner error={query.error} title="Could not load the dashboard" />
      {!query.data && query.loading && <Loading what="the dashboard" />}
      {counts && (
        <div className="count-cards">
          {cards.map((c) => (
            <CountCard
              key={c.key}
              label={c.label}
              to={c.to}
              counts={counts[c.key]}
              staleness={c.staleness}
            />
          ))}
        </div>
      )}
      {noTemplates && (
        <Section title="Get started">
          <GettingStarted />
        </Section>
      )}
      {query.data && !noTemplates && (
        <Section
          title="Service instances"
          actions={
            <input
              type="search"
              aria-label="Filter service instances"
              placeholder="Filter instances…"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          }
        >
          <SortableTable
            columns={columns}
            rows={rows}
            rowKey={(r) => r.arn}
            initialSort="service"
            empty={
              <EmptyState
                title={needle ? 'No instance matches the filter' : 'No service instances yet'}
              >
                {!needle && (
                  <p>
                    A service runs one instance per environment it is deployed to.{' '}
                    {canCreateService && (
                      <>
                        <Link to="/create/service">Create a service</Link> from a published service
                        template.
                      </>
                    )}
                  </p>
                )}
              </EmptyState>
            }
          />
        </Section>
      )}
    </>
  );
}
