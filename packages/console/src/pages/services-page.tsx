import type { ReactNode } from 'react';
import type { ServiceSummary } from '@nucleon/protocol';
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
} from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, navigate, pathOf } from '../router.js';

const columns: Column<ServiceSummary>[] = [
  {
    key: 'name',
    label: 'Name',
    sortValue: (r) => r.name,
    render: (r) => <Link to={pathOf('services', r.name)}>{r.name}</Link>,
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
    key: 'status',
    label: 'Status',
    sortValue: (r) => r.status,
    render: (r) => <StatusBadge status={r.status} />,
  },
  { key: 'description', label: 'Description', render: (r) => r.description ?? '—' },
  {
    key: 'modified',
    label: 'Last modified',
    sortValue: (r) => r.lastModifiedAt.getTime(),
    render: (r) => <TimeAgo date={r.lastModifiedAt} />,
  },
];

/** All services. */
export function ServicesPage(): ReactNode {
  const canCreate = useCan('services:write');
  const query = useQuery(
    () =>
      listAll(
        (nextToken) => api.call('ListServices', { nextToken }),
        (o) => o.services,
      ),
    [],
    {
      pollMs: 3000,
      pollWhile: (d) => !!d?.some((s) => isRunning(s.status)),
    },
  );
  return (
    <>
      <PageHeader
        title="Services"
        subtitle="Applications deployed from a service template: one instance per environment, and optionally a pipeline."
        actions={
          canCreate && (
            <button type="button" className="primary" onClick={() => navigate('/create/service')}>
              Create service
            </button>
          )
        }
      />
      <ErrorBanner error={query.error} title="Could not load the services" />
      {!query.data && query.loading && <Loading what="services" />}
      {query.data && (
        <SortableTable
          columns={columns}
          rows={query.data}
          rowKey={(r) => r.arn}
          empty={
            <EmptyState title="No services yet">
              <p>
                A service needs a published service template and an environment built from a
                template it is compatible with.{' '}
                {canCreate && <Link to="/create/service">Create a service</Link>}
              </p>
            </EmptyState>
          }
        />
      )}
    </>
  );
}
