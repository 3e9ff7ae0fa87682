import { useRef, useState, type ReactNode } from 'react';
import { ApiError, api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DeploymentsPanel } from '../components/deployments-panel.js';
import { EnvironmentGraph } from '../components/environment-graph.js';
import { InputsTable, OutputsTable } from '../components/key-values.js';
import { UpdatePanel } from '../components/update-panel.js';
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
import { environmentInputsOf, environmentSpecText } from '../schema/spec-documents.js';

/** One environment: its state, inputs, outputs, a graph of what runs in it, actions and deployment history. */
export function EnvironmentPage(props: { name: string }): ReactNode {
  const { name } = props;
  const [updating, setUpdating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  // While a deletion runs, look the environment up in the list: once it is gone, say so (no 404s).
  const deleting = useRef(false);
  const query = useQuery(
    async () => {
      if (
        deleting.current &&
        !(
          await listAll(
            (nextToken) => api.call('ListEnvironments', { nextToken }),
            (o) => o.environments,
          )
        ).some((e) => e.name === name)
      ) {
        return { gone: true as const };
      }
      const [env, outputs] = await Promise.all([
        api.call('GetEnvironment', { name }).then((o) => o.environment),
        listAll(
          (nextToken) => api.call('ListEnvironmentOutputs', { environmentName: name, nextToken }),
          (o) => o.outputs,
        ),
      ]);
      deleting.current = env.deploymentStatus === 'DELETE_IN_PROGRESS';
      return { env, outputs };
    },
    [name],
    { pollMs: 2000, pollWhile: (d) => !!d && !('gone' in d) && isRunning(d.env.deploymentStatus) },
  );
  const data = query.data && !('gone' in query.data) ? query.data : undefined;
  const gone =
    (!!query.data && 'gone' in query.data) ||
    (query.error instanceof ApiError && query.error.type === 'ResourceNotFoundException');
  const env = gone ? undefined : data?.env;
  const running = isRunning(env?.deploymentStatus);
  const canWrite = useCan('environments:write');
  const canCreateService = useCan('services:write');

  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await action();
      query.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Environments', to: '/environments' }]}
        title={name}
        subtitle={env?.description}
        actions={
          env &&
          canWrite && (
            <>
              <button
                type="button"
                onClick={() => setUpdating(true)}
                disabled={running || updating}
              >
                Update
              </button>
              {running && env.deploymentStatus === 'IN_PROGRESS' && (
                <button
                  type="button"
                  onClick={() =>
                    void act(() =>
                      api.call('CancelEnvironmentDeployment', { environmentName: name }),
                    )
                  }
                >
                  Cancel deployment
                </button>
              )}
              <button
                type="button"
                className="danger"
                onClick={() => setConfirmDelete(true)}
                disabled={env.deploymentStatus === 'DELETE_IN_PROGRESS'}
              >
                Delete
              </button>
            </>
          )
        }
      />
      {gone && (
        <div className="card">
          <p>
            The environment <code>{name}</code> does not exist (any more).{' '}
            <Link to="/environments">Back to the environments</Link>.
          </p>
        </div>
      )}
      <ErrorBanner error={gone ? undefined : query.error} title="Could not load the environment" />
      <ErrorBanner
        error={actionError}
        title="The action failed"
        onDismiss={() => setActionError(undefined)}
      />
      {!query.data && query.loading && <Loading what="the environment" />}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete environment ${name}?`}
          typeToConfirm={name}
          confirmLabel="Delete environment"
          danger
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.call('DeleteEnvironment', { name });
            deleting.current = true;
            query.reload();
          }}
        >
          <p>
            Nucleon runs the template's deprovisioning and then removes the environment.
            Environments that still have service instances cannot be deleted.
          </p>
        </ConfirmDialog>
      )}
      {env && (
        <>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={env.deploymentStatus} />],
              ['Status message', env.deploymentStatusMessage],
              [
                'Template',
                <span key="t">
                  <Link to={pathOf('templates', 'environment', env.templateName)}>
                    {env.templateName}
                  </Link>{' '}
                  {version(env.templateMajorVersion, env.templateMinorVersion)}
                </span>,
              ],
              [
                'Provisioning',
                env.provisioning === 'CUSTOMER_MANAGED' ? 'customer managed' : undefined,
              ],
              ['Last deployment', <TimeAgo key="a" date={env.lastDeploymentAttemptedAt} />],
              ['Last success', <TimeAgo key="b" date={env.lastDeploymentSucceededAt} />],
              ['ARN', <code key="arn">{env.arn}</code>],
            ]}
          />
          {updating && (
            <UpdatePanel
              kind="environment"
              templateName={env.templateName}
              major={env.templateMajorVersion}
              minor={env.templateMinorVersion}
              inputs="environment"
              currentInputs={environmentInputsOf(env.spec)}
              onClose={() => setUpdating(false)}
              onSubmit={async (target, values) => {
                await api.call('UpdateEnvironment', {
                  name,
                  deploymentType: target.deploymentType,
                  spec: environmentSpecText(values),
                  ...(target.deploymentType === 'CURRENT_VERSION'
                    ? {}
                    : { templateMajorVersion: target.major, templateMinorVersion: target.minor }),
                });
                query.reload();
              }}
            />
          )}
          <div className="two-columns">
            <Section title="Inputs">
              <InputsTable inputs={environmentInputsOf(env.spec)} spec={env.spec} />
            </Section>
            <Section title="Outputs">
              <OutputsTable outputs={data?.outputs} />
            </Section>
          </div>
          <Section
            title="Graph"
            actions={
              <Link
                to={pathOf('environments', name, 'graph')}
                aria-label={`Open the graph of ${name} on its own page`}
              >
                Open on its own page
              </Link>
            }
          >
            <EnvironmentGraph
              name={name}
              refreshKey={`${env.lastAttemptedDeploymentId ?? ''}:${env.deploymentStatus}`}
              empty={
                <>
                  No service runs here yet.{' '}
                  {canCreateService && (
                    <>
                      <Link to="/create/service">Create a service</Link> whose template is
                      compatible with {env.templateName}.
                    </>
                  )}
                </>
              }
            />
          </Section>
          <DeploymentsPanel
            filter={{ environmentName: name }}
            targets={['ENVIRONMENT']}
            refreshKey={`${env.lastAttemptedDeploymentId ?? ''}:${env.deploymentStatus}`}
            onFinished={() => query.reload()}
          />
        </>
      )}
    </>
  );
}
