import type { ReactNode } from 'react';
import { api } from '../api/console-api.js';
import {
  EmptyState,
  ErrorBanner,
  Facts,
  Loading,
  PageHeader,
  Section,
  StatusBadge,
  formatTime,
} from '../components/ui.js';
import { FleetTabs } from '../components/fleet-tabs.js';
import { RolloutActions } from '../components/rollout-actions.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, navigate, pathOf } from '../router.js';
import { fleetMember } from '../components/fleet-member.js';

const running = (status: string | undefined) => status === 'IN_PROGRESS' || status === 'PAUSED';

/** Rollouts, newest first: what moves where, and how far it got. */
export function RolloutsPage(): ReactNode {
  const query = useQuery(() => api.extension('ListRollouts', {}), [], {
    pollMs: 2000,
    pollWhile: (d) => !!d?.rollouts.some((r) => running(r.status)),
  });
  const rollouts = query.data?.rollouts ?? [];
  const canStart = useCan('deployments:write');
  return (
    <>
      <PageHeader
        title="Rollouts"
        subtitle={
          <>
            Service template versions moving across the fleet in waves. Preview a version, then
            start its rollout from the preview (or{' '}
            <code>nucleon rollout start &lt;template&gt; --to &lt;major.minor&gt;</code>).
          </>
        }
        actions={
          canStart && (
            <button type="button" className="primary" onClick={() => navigate('/preview')}>
              Preview a version
            </button>
          )
        }
      />
      <FleetTabs />
      {query.error && <ErrorBanner error={query.error} />}
      {query.loading && !query.data ? (
        <Loading what="rollouts" />
      ) : rollouts.length === 0 ? (
        <EmptyState title="No rollouts yet">
          <p>
            Preview a version (the Preview tab, or <code>nucleon preview</code>), then roll it out
            from the preview.
          </p>
        </EmptyState>
      ) : (
        <table aria-label="Rollouts">
          <thead>
            <tr>
              <th>Rollout</th>
              <th>Template</th>
              <th>Status</th>
              <th>Wave</th>
              <th>Started</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {rollouts.map((r) => (
              <tr key={r.rolloutId}>
                <td>
                  <Link to={pathOf('rollouts', r.rolloutId)}>{r.rolloutId.slice(0, 8)}</Link>
                </td>
                <td>
                  {r.templateName} → {r.targetMajorVersion}.{r.targetMinorVersion}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {r.currentWave ?? 0}/{r.waveCount ?? 0}
                </td>
                <td>{formatTime(r.createdAt)}</td>
                <td>{r.statusMessage ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** One rollout: its waves as a timeline, live while it runs, each instance with its state. */
export function RolloutPage(props: { id: string }): ReactNode {
  const query = useQuery(() => api.extension('GetRollout', { rolloutId: props.id }), [props.id], {
    pollMs: 1000,
    pollWhile: (d) => running(d?.rollout.status),
  });
  const r = query.data?.rollout;
  if (query.error && !r) return <ErrorBanner error={query.error} />;
  if (!r) return <Loading what="the rollout" />;
  const waves = Array.from({ length: r.waveCount ?? 0 }, (_, i) => i + 1);
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Rollouts', to: '/rollouts' }]}
        title={`${r.templateName} → ${r.targetMajorVersion}.${r.targetMinorVersion}`}
        subtitle={<StatusBadge status={r.status} />}
        actions={
          <RolloutActions
            rolloutId={r.rolloutId}
            status={r.status}
            onChanged={() => query.reload()}
          />
        }
      />
      <Facts
        items={[
          ['Rollout', <code key="id">{r.rolloutId}</code>],
          [
            'Phase',
            running(r.status)
              ? `${r.phase ?? ''} wave ${r.currentWave ?? 0} of ${r.waveCount ?? 0}`
              : r.phase,
          ],
          ['Message', r.statusMessage],
          ['Max in flight', String(r.maxInFlight ?? '')],
          ['Bake', `${r.bakeSeconds ?? 0} s`],
          ['Failure threshold', String(r.failureThreshold ?? 0)],
          ['Automatic rollback', r.autoRollback ? `yes (${r.rollbackScope ?? 'ROLLOUT'})` : 'no'],
          ['Preview', r.previewHash ? <code key="p">{r.previewHash}</code> : undefined],
          ['Started', formatTime(r.createdAt)],
          ['Ended', r.completedAt ? formatTime(r.completedAt) : undefined],
        ]}
      />
      <Section title="Waves">
        <ol className="rollout-timeline" aria-label="Waves">
          {waves.map((w) => {
            const members = (r.instances ?? []).filter((i) => i.wave === w);
            const current = running(r.status) && w === r.currentWave;
            return (
              <li
                key={w}
                className={`card rollout-wave${current ? ' current' : ''}`}
                aria-label={`Wave ${w}`}
                aria-current={current ? 'step' : undefined}
              >
                <h3>
                  Wave {w}
                  {current && r.phase ? ` — ${r.phase.toLowerCase().replace('_', ' ')}` : ''}
                </h3>
                <ul>
                  {members.map((i) => (
                    <li key={fleetMember(i).label}>
                      <Link to={fleetMember(i).path}>{fleetMember(i).label}</Link>{' '}
                      <span className="muted">
                        {i.environmentName}
                        {i.previousVersion ? `, from ${i.previousVersion}` : ''}
                      </span>{' '}
                      <StatusBadge status={i.state} />
                      {i.message && <div className="muted">{i.message}</div>}
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ol>
      </Section>
    </>
  );
}
