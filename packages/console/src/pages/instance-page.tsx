import { useState, type ReactNode } from 'react';
import { ApiError, api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { DeploymentsPanel } from '../components/deployments-panel.js';
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
import { CURRENT_VAL, hasCurrentValues, resolveCurrentValues } from '../schema/current-values.js';
import { instanceInputsOf, readServiceSpec, serviceSpecText } from '../schema/spec-documents.js';

/** The instance's ServiceSpec with its own entry's inputs replaced (other entries and the pipeline kept). */
function specWithInputs(
  specText: string | undefined,
  name: string,
  environment: string,
  values: Record<string, unknown>,
): string {
  let doc = { instances: [{ name, environment, spec: values }] } as ReturnType<
    typeof readServiceSpec
  >;
  try {
    const current = readServiceSpec(specText ?? '');
    if (current.instances.some((i) => i.name === name))
      doc = {
        ...current,
        instances: current.instances.map((i) => (i.name === name ? { ...i, spec: values } : i)),
      };
  } catch {
    // An unreadable current spec: send only this instance's entry.
  }
  return serviceSpecText(doc);
}

/**
 * The instance's inputs as deployed: a `${Proton::CURRENT_VAL}` in its spec shows the value it
 * kept, found in the specs of its earlier deployments (newest first).
 */
async function inputsInUse(
  serviceName: string,
  name: string,
  spec: string | undefined,
): Promise<Record<string, unknown>> {
  const inputs = instanceInputsOf(spec, name);
  if (!hasCurrentValues(inputs)) return inputs;
  const deployments = await listAll(
    (nextToken) =>
      api.call('ListDeployments', { serviceName, serviceInstanceName: name, nextToken }),
    (o) => o.deployments,
  );
  const newestFirst = deployments
    .filter((d) => d.targetResourceType === 'SERVICE_INSTANCE')
    .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime());
  const wanted = Object.keys(inputs).filter((k) => inputs[k] === CURRENT_VAL);
  const earlier: Array<Record<string, unknown>> = [];
  for (const d of newestFirst) {
    const got = await api.call('GetDeployment', {
      id: d.id,
      serviceName,
      serviceInstanceName: name,
    });
    earlier.push(instanceInputsOf(got.deployment?.targetState?.serviceInstance?.spec, name));
    const resolved = resolveCurrentValues(inputs, earlier);
    if (wanted.every((k) => k in resolved)) break;
  }
  return resolveCurrentValues(inputs, earlier);
}

/** One service instance: state, inputs, outputs, update and cancel, deployment history. */
export function InstancePage(props: { serviceName: string; name: string }): ReactNode {
  const { serviceName, name } = props;
  const [updating, setUpdating] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const query = useQuery(
    async () => {
      const [instance, outputs] = await Promise.all([
        api.call('GetServiceInstance', { serviceName, name }).then((o) => o.serviceInstance),
        listAll(
          (nextToken) =>
            api.call('ListServiceInstanceOutputs', {
              serviceName,
              serviceInstanceName: name,
              nextToken,
            }),
          (o) => o.outputs,
        ),
      ]);
      return { instance, outputs, inputs: await inputsInUse(serviceName, name, instance.spec) };
    },
    [serviceName, name],
    { pollMs: 2000, pollWhile: (d) => isRunning(d?.instance.deploymentStatus) },
  );
  const gone = query.error instanceof ApiError && query.error.type === 'ResourceNotFoundException';
  const instance = gone ? undefined : query.data?.instance;
  const running = isRunning(instance?.deploymentStatus);
  const canWrite = useCan('services:write');
  const inputs = query.data?.inputs ?? {};

  const cancel = async () => {
    setActionError(undefined);
    try {
      await api.call('CancelServiceInstanceDeployment', { serviceName, serviceInstanceName: name });
      query.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Services', to: '/services' },
          { label: serviceName, to: pathOf('services', serviceName) },
        ]}
        title={name}
        subtitle="Service instance"
        actions={
          instance &&
          canWrite && (
            <>
              <button
                type="button"
                onClick={() => setUpdating(true)}
                disabled={running || updating}
              >
                Update
              </button>
              {instance.deploymentStatus === 'IN_PROGRESS' && (
                <button type="button" onClick={() => void cancel()}>
                  Cancel deployment
                </button>
              )}
            </>
          )
        }
      />
      {gone && (
        <div className="card">
          <p>
            The instance <code>{name}</code> of{' '}
            <Link to={pathOf('services', serviceName)}>{serviceName}</Link> does not exist (any
            more).
          </p>
        </div>
      )}
      <ErrorBanner error={gone ? undefined : query.error} title="Could not load the instance" />
      <ErrorBanner
        error={actionError}
        title="The action failed"
        onDismiss={() => setActionError(undefined)}
      />
      {!query.data && query.loading && <Loading what="the instance" />}
      {instance && (
        <>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={instance.deploymentStatus} />],
              ['Status message', instance.deploymentStatusMessage],
              [
                'Service',
                <Link key="svc" to={pathOf('services', serviceName)}>
                  {serviceName}
                </Link>,
              ],
              [
                'Environment',
                <Link key="env" to={pathOf('environments', instance.environmentName)}>
                  {instance.environmentName}
                </Link>,
              ],
              [
                'Template',
                <span key="t">
                  <Link to={pathOf('templates', 'service', instance.templateName)}>
                    {instance.templateName}
                  </Link>{' '}
                  {version(instance.templateMajorVersion, instance.templateMinorVersion)}
                </span>,
              ],
              ['Last deployment', <TimeAgo key="a" date={instance.lastDeploymentAttemptedAt} />],
              ['ARN', <code key="arn">{instance.arn}</code>],
            ]}
          />
          {updating && (
            <UpdatePanel
              kind="service"
              templateName={instance.templateName}
              major={instance.templateMajorVersion}
              minor={instance.templateMinorVersion}
              inputs="service"
              currentInputs={inputs}
              onClose={() => setUpdating(false)}
              onSubmit={async (target, values) => {
                await api.call('UpdateServiceInstance', {
                  serviceName,
                  name,
                  deploymentType: target.deploymentType,
                  spec: specWithInputs(instance.spec, name, instance.environmentName, values),
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
              <InputsTable inputs={inputs} spec={instance.spec} />
            </Section>
            <Section title="Outputs">
              <OutputsTable outputs={query.data?.outputs} />
            </Section>
          </div>
          <DeploymentsPanel
            filter={{ serviceName, serviceInstanceName: name }}
            targets={['SERVICE_INSTANCE']}
            refreshKey={`${instance.lastAttemptedDeploymentId ?? ''}:${instance.deploymentStatus}`}
            onFinished={() => query.reload()}
          />
        </>
      )}
    </>
  );
}
