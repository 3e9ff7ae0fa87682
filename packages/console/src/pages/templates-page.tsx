import { useState, type ReactNode } from 'react';
import type { EnvironmentTemplateSummary, ServiceTemplateSummary } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { CreateTemplateForm } from '../components/create-template-form.js';
import { GettingStarted } from '../components/getting-started.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import {
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  Section,
  TimeAgo,
} from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, pathOf } from '../router.js';

type Row = (EnvironmentTemplateSummary | ServiceTemplateSummary) & {
  kind: 'environment' | 'service';
};

function columns(kind: 'environment' | 'service'): Column<Row>[] {
  return [
    {
      key: 'name',
      label: 'Name',
      sortValue: (r) => r.name,
      render: (r) => <Link to={pathOf('templates', r.kind, r.name)}>{r.name}</Link>,
    },
    {
      key: 'displayName',
      label: 'Display name',
      sortValue: (r) => r.displayName ?? '',
      render: (r) => r.displayName ?? '—',
    },
    {
      key: 'recommended',
      label: 'Recommended version',
      sortValue: (r) => r.recommendedVersion ?? '',
      render: (r) => r.recommendedVersion ?? <span className="muted">none published</span>,
    },
    {
      key: 'provisioning',
      label: kind === 'environment' ? 'Provisioning' : 'Pipeline',
      render: (r) =>
        kind === 'environment'
          ? 'provisioning' in r && r.provisioning === 'CUSTOMER_MANAGED'
            ? 'customer managed'
            : 'by Nucleon'
          : 'pipelineProvisioning' in r && r.pipelineProvisioning === 'CUSTOMER_MANAGED'
            ? 'excludes pipeline'
            : 'includes pipeline',
    },
    {
      key: 'created',
      label: 'Created',
      sortValue: (r) => r.createdAt.getTime(),
      render: (r) => <TimeAgo date={r.createdAt} />,
    },
  ];
}

/** Both template catalogs, and the form to add a template. */
export function TemplatesPage(): ReactNode {
  const [creating, setCreating] = useState(false);
  const canWrite = useCan('templates:write');
  const query = useQuery(async () => {
    const [env, svc] = await Promise.all([
      listAll(
        (nextToken) => api.call('ListEnvironmentTemplates', { nextToken }),
        (o) => o.templates,
      ),
      listAll(
        (nextToken) => api.call('ListServiceTemplates', { nextToken }),
        (o) => o.templates,
      ),
    ]);
    return {
      env: env.map((t): Row => ({ ...t, kind: 'environment' })),
      svc: svc.map((t): Row => ({ ...t, kind: 'service' })),
    };
  }, []);
  const empty = query.data && query.data.env.length === 0 && query.data.svc.length === 0;
  return (
    <>
      <PageHeader
        title="Templates"
        subtitle="Versioned environment and service templates: the catalog developers create environments and services from."
        actions={
          !creating &&
          canWrite && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New template
            </button>
          )
        }
      />
      {creating && <CreateTemplateForm onCancel={() => setCreating(false)} />}
      <ErrorBanner error={query.error} title="Could not load the templates" />
      {!query.data && query.loading && <Loading what="templates" />}
      {empty && !creating && (
        <EmptyState title="No templates yet">
          <GettingStarted />
        </EmptyState>
      )}
      {query.data && !empty && (
        <>
          <Section title="Environment templates">
            <SortableTable
              columns={columns('environment')}
              rows={query.data.env}
              rowKey={(r) => r.arn}
              empty={
                <p className="muted">
                  No environment templates. Services need environments, so start with one.
                </p>
              }
            />
          </Section>
          <Section title="Service templates">
            <SortableTable
              columns={columns('service')}
              rows={query.data.svc}
              rowKey={(r) => r.arn}
              empty={
                <p className="muted">
                  No service templates yet. A service template lists the environment templates its
                  services can run on.
                </p>
              }
            />
          </Section>
        </>
      )}
    </>
  );
}
