import type { ReactNode } from 'react';
import { api } from '../api/console-api.js';
import type { VersionCurrencyRow } from '../api/fleet-shapes.js';
import { FleetTabs } from '../components/fleet-tabs.js';
import { EmptyState, ErrorBanner, Loading, PageHeader, TimeAgo } from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, pathOf } from '../router.js';

const kindLabel: Record<string, [string, string]> = {
  ENVIRONMENT: ['environment', 'environments'],
  SERVICE_INSTANCE: ['service instance', 'service instances'],
  SERVICE_PIPELINE: ['pipeline', 'pipelines'],
};

function countText(r: VersionCurrencyRow): string {
  const [one, many] = kindLabel[r.resourceKind] ?? [r.resourceKind, r.resourceKind];
  return `${r.count} ${r.count === 1 ? one : many}`;
}

function behindText(r: VersionCurrencyRow): string {
  if (r.behind === 'UP_TO_DATE') return 'up to date';
  const parts = [
    r.majorsBehind ? `${r.majorsBehind} major${r.majorsBehind === 1 ? '' : 's'}` : '',
    r.minorsBehind ? `${r.minorsBehind} minor${r.minorsBehind === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} behind`;
}

/** A link to preview moving these resources to the recommended version, where that exists. */
function MoveAction(props: { row: VersionCurrencyRow; canPreview: boolean }): ReactNode {
  const r = props.row;
  if (r.behind === 'UP_TO_DATE' || !r.recommendedVersion) return null;
  if (r.resourceKind !== 'SERVICE_INSTANCE' && r.resourceKind !== 'ENVIRONMENT')
    return <span className="muted">update the pipeline from its service</span>;
  if (!props.canPreview) return <span className="muted">rollouts are the platform role’s</span>;
  return (
    <Link
      to={`/preview?template=${encodeURIComponent(r.templateName)}&to=${encodeURIComponent(r.recommendedVersion)}${r.resourceKind === 'ENVIRONMENT' ? '&kind=environment' : ''}`}
      aria-label={`Preview moving ${r.templateName} ${r.version} to ${r.recommendedVersion}`}
    >
      Preview moving to {r.recommendedVersion}
    </Link>
  );
}

/** Version currency: resources per template × version, how far behind and since when. */
export function CurrencyPage(): ReactNode {
  const query = useQuery(() => api.extension('GetVersionCurrency', {}), []);
  const canPreview = useCan('deployments:write');
  const rows = query.data?.versions ?? [];
  return (
    <>
      <PageHeader
        title="Version currency"
        subtitle="Which template versions the fleet runs, and how far behind the newest published version each is."
      />
      <FleetTabs />
      {query.error && <ErrorBanner error={query.error} />}
      {query.loading && !query.data ? (
        <Loading what="version currency" />
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing deployed yet">
          <p>No environment, service instance or pipeline runs a template version.</p>
        </EmptyState>
      ) : (
        <table aria-label="Version currency">
          <thead>
            <tr>
              <th>Template</th>
              <th>Version</th>
              <th>Resources</th>
              <th>Newest</th>
              <th>Behind</th>
              <th>Since</th>
              <th>Move</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.templateKind}:${r.templateName}:${r.version}:${r.resourceKind}`}
                data-template={r.templateName}
                data-version={r.version}
                data-behind={r.behind}
              >
                <td>
                  <Link
                    to={pathOf(
                      'templates',
                      r.templateKind === 'ENVIRONMENT' ? 'environment' : 'service',
                      r.templateName,
                    )}
                  >
                    {r.templateName}
                  </Link>{' '}
                  <span className="muted">{r.templateKind.toLowerCase()}</span>
                </td>
                <td>{r.version}</td>
                <td>{countText(r)}</td>
                <td>{r.recommendedVersion ?? '—'}</td>
                <td>
                  <span
                    className={`badge badge-${r.behind === 'UP_TO_DATE' ? 'ok' : r.behind === 'MAJOR' ? 'bad' : 'draft'}`}
                  >
                    {behindText(r)}
                  </span>
                </td>
                <td>{r.behindSince ? <TimeAgo date={r.behindSince} /> : '—'}</td>
                <td>
                  <MoveAction row={r} canPreview={canPreview} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
