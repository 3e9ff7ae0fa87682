import { useState, type ReactNode } from 'react';
import type {
  DeploymentSummary,
  DeploymentTargetResourceType,
  ListDeploymentsInput,
} from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { useQuery } from '../hooks/use-query.js';
import { DeploymentLog } from './deployment-log.js';
import { ErrorBanner, Loading, Section, StatusBadge, TimeAgo } from './ui.js';

function targetOf(d: DeploymentSummary): string {
  if (d.targetResourceType === 'SERVICE_INSTANCE') return `instance ${d.serviceInstanceName ?? ''}`;
  if (d.targetResourceType === 'SERVICE_PIPELINE') return `pipeline of ${d.serviceName ?? ''}`;
  if (d.targetResourceType === 'ENVIRONMENT') return `environment ${d.environmentName}`;
  return d.targetResourceType.toLowerCase();
}

function duration(d: DeploymentSummary): string {
  if (!d.completedAt) return '—';
  const s = Math.max(0, Math.round((d.completedAt.getTime() - d.createdAt.getTime()) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/**
 * A resource's deployment history; the newest (or the chosen) deployment's live log below.
 * `refreshKey` changes when the resource starts or ends a deployment, reloading the list.
 */
export function DeploymentsPanel(props: {
  filter: ListDeploymentsInput;
  targets: DeploymentTargetResourceType[];
  refreshKey: string;
  onFinished?(status: string): void;
}): ReactNode {
  const [chosen, setChosen] = useState<string>();
  const query = useQuery(
    async () =>
      (
        await listAll(
          (nextToken) => api.call('ListDeployments', { ...props.filter, nextToken }),
          (o) => o.deployments,
        )
      ).filter((d) => props.targets.includes(d.targetResourceType)),
    [JSON.stringify(props.filter), props.targets.join()],
    { refreshKey: props.refreshKey },
  );
  const list = query.data ?? [];
  const selected = list.find((d) => d.id === chosen) ?? list[0];
  return (
    <Section title="Deployments">
      <ErrorBanner error={query.error} title="Could not load the deployment history" />
      {!query.data && query.loading && <Loading what="deployments" />}
      {query.data && list.length === 0 && <p className="muted">No deployments yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="deployments">
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id} className={d === selected ? 'selected' : undefined}>
                  <td>
                    <button
                      type="button"
                      className="link-button mono"
                      aria-pressed={d === selected}
                      onClick={() => setChosen(d.id)}
                      title={d.id}
                    >
                      {d.id.slice(0, 8)}
                    </button>
                  </td>
                  <td>{targetOf(d)}</td>
                  <td>
                    <StatusBadge status={d.deploymentStatus} />
                  </td>
                  <td>
                    <TimeAgo date={d.createdAt} />
                  </td>
                  <td>{duration(d)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && (
        <DeploymentLog
          key={selected.id}
          id={selected.id}
          onFinished={(status) => {
            query.reload();
            props.onFinished?.(status);
          }}
        />
      )}
    </Section>
  );
}
