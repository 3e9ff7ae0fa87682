import type { ReactNode } from 'react';
import { ApiError, api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { DeploymentsPanel } from '../components/deployments-panel.js';
import { OutputsTable } from '../components/key-values.js';
import {
  ErrorBanner,
  Facts,
  Loading,
  PageHeader,
  Section,
  StatusBadge,
  TimeAgo,
  isRunning,
} from '../components/ui.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, pathOf } from '../router.js';

/** One component (read-only): where it is attached, its state, outputs and deployment history. */
export function ComponentPage(props: { name: string }): ReactNode {
  const { name } = props;
  const query = useQuery(
    async () => {
      const [component, outputs] = await Promise.all([
        api.call('GetComponent', { name }).then((o) => o.component),
        listAll(
          (nextToken) => api.call('ListComponentOutputs', { componentName: name, nextToken }),
          (o) => o.outputs,
        ),
      ]);
      return { component, outputs };
    },
    [name],
    { pollMs: 2000, pollWhile: (d) => isRunning(d?.component?.deploymentStatus) },
  );
  const gone =
    (!!query.data && !query.data.component) ||
    (query.error instanceof ApiError && query.error.type === 'ResourceNotFoundException');
  const component = gone ? undefined : query.data?.component;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Environments', to: '/environments' },
          ...(component
            ? [
                {
                  label: component.environmentName,
                  to: pathOf('environments', component.environmentName),
                },
              ]
            : []),
        ]}
        title={name}
        subtitle={component?.description ?? 'Component'}
      />
      {gone && (
        <div className="card">
          <p>
            The component <code>{name}</code> does not exist (any more).{' '}
            <Link to="/environments">Back to the environments</Link>.
          </p>
        </div>
      )}
      <ErrorBanner error={gone ? undefined : query.error} title="Could not load the component" />
      {!query.data && query.loading && <Loading what="the component" />}
      {component && (
        <>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={component.deploymentStatus} />],
              ['Status message', component.deploymentStatusMessage],
              [
                'Environment',
                <Link key="env" to={pathOf('environments', component.environmentName)}>
                  {component.environmentName}
                </Link>,
              ],
              [
                'Service',
                component.serviceName && (
                  <Link key="svc" to={pathOf('services', component.serviceName)}>
                    {component.serviceName}
                  </Link>
                ),
              ],
              [
                'Service instance',
                component.serviceName && component.serviceInstanceName && (
                  <Link
                    key="inst"
                    to={pathOf(
                      'services',
                      component.serviceName,
                      'instances',
                      component.serviceInstanceName,
                    )}
                  >
                    {component.serviceInstanceName}
                  </Link>
                ),
              ],
              ['Last deployment', <TimeAgo key="a" date={component.lastDeploymentAttemptedAt} />],
              ['ARN', <code key="arn">{component.arn}</code>],
            ]}
          />
          <p className="hint">
            Components are defined in code: create, update and delete them with the AWS CLI or SDKs
            (see Connect tools).
          </p>
          <Section title="Outputs">
            <OutputsTable outputs={query.data?.outputs} />
          </Section>
          <DeploymentsPanel
            filter={{ componentName: name }}
            targets={['COMPONENT']}
            refreshKey={`${component.lastAttemptedDeploymentId ?? ''}:${component.deploymentStatus}`}
            onFinished={() => query.reload()}
          />
        </>
      )}
    </>
  );
}
