import type { ReactNode } from 'react';
import type { EnvironmentSummary } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import {
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  StatusBadge,
  TimeAgo,
  isRunning,
  version,
} from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, navigate, pathOf } from '../router.js';

const columns: Column<EnvironmentSummary>[] = [
  {
    key: 'name',
    label: 'Name',
    sortValue: (r) => r.name,
    render: (r) => <Link to={pathOf('environments', r.name)}>{r.name}</Link>,
  },
  {
    key: 'template',
    label: 'Template',
    sortValue: (r) => r.templateName,
    render: (r) => (
      <Link to={pathOf('templates', 'environment', r.templateName)}>{r.templateName}</Link>
    ),
  },
  {
    key: 'version',
    label: 'Version',
    sortValue: (r) => Number(r.templateMajorVersion) * 100_000 + Number(r.templateMinorVersion),
    render: (r) => version(r.templateMajorVersion, r.templateMinorVersion),
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
  {
    key: 'graph',
    label: 'Graph',
    render: (r) => (
      <Link to={pathOf('environments', r.name, 'graph')} aria-label={`Graph of ${r.name}`}>
        Graph
      </Link>
    ),
  },
];

/** All environments. */
export function EnvironmentsPage(): ReactNode {
  const canCreate = useCan('environments:write');
  const query = useQuery(
    () =>
      listAll(
        (nextToken) => api.call('ListEnvironments', { nextToken }),
        (o) => o.environments,
      ),
    [],
    {
      pollMs: 3000,
      pollWhile: (d) => !!d?.some((e) => isRunning(e.deploymentStatus)),
    },
  );
  return (
    <>
      <PageHeader
        title="Environments"
        subtitle="Shared infrastructure (networks, clusters…) that service instances run in."
        actions={
          canCreate && (
            <button
              type="button"
              className="primary"
              onClick={() => navigate('/create/environment')}
            >
              Create environment
            </button>
          )
        }
      />
      <ErrorBanner error={query.error} title="Could not load the environments" />
      {!query.data && query.loading && <Loading what="environments" />}
      {query.data && (
        <SortableTable
          columns={columns}
          rows={query.data}
          rowKey={(r) => r.arn}
          empty={
            <EmptyState title="No environments yet">
              <p>
                An environment is deployed from a published environment template version.{' '}
                {canCreate && (
                  <>
                    <Link to="/create/environment">Create one</Link>, or first{' '}
                    <Link to="/templates">register an environment template</Link> if the catalog is
                    empty.
                  </>
                )}
              </p>
            </EmptyState>
          }
        />
      )}
    </>
  );
}
