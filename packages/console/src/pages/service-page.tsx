import { useRef, useState, type ReactNode } from 'react';
import type { ServiceInstanceSummary } from '@nucleon/protocol';
import { ApiError, api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DeploymentsPanel } from '../components/deployments-panel.js';
import { InputsTable } from '../components/key-values.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import {
  ErrorBanner,
  Facts,
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
import { pipelineInputsOf } from '../schema/spec-documents.js';

const columns: Column<ServiceInstanceSummary>[] = [
  {
    key: 'name',
    label: 'Instance',
    sortValue: (r) => r.name,
    render: (r) => (
      <Link to={pathOf('services', r.serviceName, 'instances', r.name)}>{r.name}</Link>
    ),
  },
  {
    key: 'environment',
    label: 'Environment',
    sortValue: (r) => r.environmentName,
    render: (r) => <Link to={pathOf('environments', r.environmentName)}>{r.environmentName}</Link>,
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
];

/** One service: its state, instances, pipeline, deletion and deployment history. */
export function ServicePage(props: { name: string }): ReactNode {
  const { name } = props;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const canWrite = useCan('services:write');
  // While a deletion runs, look the service up in the list: once it is gone, say so (no 404s).
  const deleting = useRef(false);
  const query = useQuery(
    async () => {
      if (
        deleting.current &&
        !(
          await listAll(
            (nextToken) => api.call('ListServices', { nextToken }),
            (o) => o.services,
          )
        ).some((s) => s.name === name)
      ) {
        return { gone: true as const };
      }
      const [service, instances] = await Promise.all([
        api.call('GetService', { name }).then((o) => o.service),
        listAll(
          (nextToken) => api.call('ListServiceInstances', { serviceName: name, nextToken }),
          (o) => o.serviceInstances,
        ),
      ]);
      if (!service) return { gone: true as const };
      deleting.current = service.status === 'DELETE_IN_PROGRESS';
      return { service, instances };
    },
    [name],
    {
      pollMs: 2000,
      pollWhile: (d) =>
        !!d &&
        !('gone' in d) &&
        (isRunning(d.service.status) ||
          isRunning(d.service.pipeline?.deploymentStatus) ||
          d.instances.some((i) => isRunning(i.deploymentStatus))),
    },
  );
  const data = query.data && !('gone' in query.data) ? query.data : undefined;
  const gone =
    (!!query.data && 'gone' in query.data) ||
    (query.error instanceof ApiError && query.error.type === 'ResourceNotFoundException');
  const service = gone ? undefined : data?.service;
  const pipeline = service?.pipeline;
  const instances = data?.instances ?? [];
  const refreshKey = [
    service?.status,
    pipeline?.deploymentStatus,
    ...instances.map((i) => `${i.name}:${i.lastAttemptedDeploymentId ?? ''}:${i.deploymentStatus}`),
  ].join('|');

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Services', to: '/services' }]}
        title={name}
        subtitle={service?.description}
        actions={
          service &&
          canWrite && (
            <button
              type="button"
              className="danger"
              onClick={() => setConfirmDelete(true)}
              disabled={service.status === 'DELETE_IN_PROGRESS'}
            >
              Delete
            </button>
          )
        }
      />
      {gone && (
        <div className="card">
          <p>
            The service <code>{name}</code> does not exist (any more).{' '}
            <Link to="/services">Back to the services</Link>.
          </p>
        </div>
      )}
      <ErrorBanner error={gone ? undefined : query.error} title="Could not load the service" />
      {!query.data && query.loading && <Loading what="the service" />}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete service ${name}?`}
          typeToConfirm={name}
          confirmLabel="Delete service"
          danger
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.call('DeleteService', { name });
            deleting.current = true;
            query.reload();
          }}
        >
          <p>
            Nucleon deprovisions every instance{pipeline ? ' and the pipeline' : ''}, then removes
            the service.
          </p>
        </ConfirmDialog>
      )}
      {service && (
        <>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={service.status} />],
              ['Status message', service.statusMessage],
              [
                'Template',
                <Link key="t" to={pathOf('templates', 'service', service.templateName)}>
                  {service.templateName}
                </Link>,
              ],
              [
                'Repository',
                service.repositoryId
                  ? `${service.repositoryId}${service.branchName ? ` (${service.branchName})` : ''}`
                  : undefined,
              ],
              ['Created', <TimeAgo key="c" date={service.createdAt} />],
              ['ARN', <code key="arn">{service.arn}</code>],
            ]}
          />
          <Section title="Instances">
            <SortableTable
              columns={columns}
              rows={instances}
              rowKey={(r) => r.arn}
              empty={<p className="muted">This service has no instances.</p>}
            />
          </Section>
          <Section title="Pipeline">
            {pipeline ? (
              <>
                <Facts
                  items={[
                    ['Status', <StatusBadge key="s" status={pipeline.deploymentStatus} />],
                    ['Status message', pipeline.deploymentStatusMessage],
                    [
                      'Version',
                      version(pipeline.templateMajorVersion, pipeline.templateMinorVersion),
                    ],
                  ]}
                />
                <InputsTable inputs={pipelineInputsOf(pipeline.spec)} spec={undefined} />
              </>
            ) : (
              <p className="muted">
                This service has no pipeline: its template excludes one, or the pipeline is managed
                elsewhere.
              </p>
            )}
          </Section>
          <details className="section">
            <summary>Service spec (YAML)</summary>
            <pre className="code">{service.spec}</pre>
          </details>
          <DeploymentsPanel
            filter={{ serviceName: name }}
            targets={['SERVICE_INSTANCE', 'SERVICE_PIPELINE']}
            refreshKey={refreshKey}
            onFinished={() => query.reload()}
          />
        </>
      )}
    </>
  );
}
