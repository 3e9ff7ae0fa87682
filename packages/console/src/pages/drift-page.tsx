import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, api } from '../api/console-api.js';
import type { DriftEntry, DriftReport } from '../api/fleet-shapes.js';
import { DriftEntryCard, driftEntryLabel, driftEntryPath } from '../components/drift-entry.js';
import { FleetTabs } from '../components/fleet-tabs.js';
import {
  CheckboxField,
  EmptyState,
  ErrorBanner,
  Loading,
  PageHeader,
  Section,
  TimeAgo,
  formatTime,
} from '../components/ui.js';
import { Link } from '../router.js';

interface Filters {
  templateName: string;
  environmentName: string;
}

interface Shown {
  source: 'now' | 'scheduled';
  detect: boolean;
  /** When it was made: the scheduled check's time, or when the console asked. */
  at: Date;
  report: DriftReport;
  filters: Filters;
}

/** The scheduled report covers everything; the console narrows it like the server narrows a check. */
function matches(e: DriftEntry, f: Filters): boolean {
  return (
    (!f.templateName || e.templateName === f.templateName) &&
    (!f.environmentName || e.environmentName === f.environmentName)
  );
}

function stateOf(e: DriftEntry): ReactNode {
  const [tone, label] = e.drifted
    ? ['bad', 'drifted']
    : e.status === 'ACCEPTED'
      ? ['neutral', 'accepted']
      : e.note
        ? ['neutral', 'not checked']
        : ['ok', 'in sync'];
  return (
    <span className={`badge badge-${tone}`} data-drift={label}>
      {label}
    </span>
  );
}

function DriftTable(props: { entries: DriftEntry[] }): ReactNode {
  return (
    <table aria-label="Drift">
      <thead>
        <tr>
          <th>Resource</th>
          <th>Kind</th>
          <th>Template</th>
          <th>Engine</th>
          <th>State</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr key={`${e.kind}:${driftEntryLabel(e)}`} data-resource={driftEntryLabel(e)}>
            <td>
              <Link to={driftEntryPath(e)}>{driftEntryLabel(e)}</Link>
            </td>
            <td>{e.kind === 'ENVIRONMENT' ? 'environment' : 'service instance'}</td>
            <td>
              {e.templateName} {e.version}
            </td>
            <td>{e.engine ?? '—'}</td>
            <td>{stateOf(e)}</td>
            <td className="muted">{e.note ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Drift: deployed resources whose template renders differently now or whose stack was edited. */
export function DriftPage(): ReactNode {
  const [filters, setFilters] = useState<Filters>({ templateName: '', environmentName: '' });
  const [detect, setDetect] = useState(false);
  const [busy, setBusy] = useState<'now' | 'scheduled' | undefined>('scheduled');
  const [error, setError] = useState<unknown>();
  const [noSchedule, setNoSchedule] = useState<string>();
  const [shown, setShown] = useState<Shown>();

  const load = async (source: 'now' | 'scheduled') => {
    setBusy(source);
    setError(undefined);
    const asked = new Date();
    const f = { ...filters };
    try {
      const report = await api.extension(
        'GetDriftReport',
        source === 'scheduled'
          ? { lastScheduled: true }
          : {
              ...(f.templateName ? { templateName: f.templateName } : {}),
              ...(f.environmentName ? { environmentName: f.environmentName } : {}),
              detectStackDrift: detect,
            },
      );
      setNoSchedule(undefined);
      setShown({
        source,
        detect: source === 'scheduled' || detect,
        at: report.checkedAt ?? asked,
        report,
        filters: f,
      });
    } catch (e) {
      if (source === 'scheduled' && e instanceof ApiError && e.type === 'ResourceNotFoundException')
        setNoSchedule(e.message);
      else setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  // Opening the page shows the last scheduled report, if there is one (a check now renders
  // every deployed resource again, so it waits for the button).
  useEffect(() => {
    void load('scheduled');
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void load('now');
  };

  const entries = shown ? shown.report.resources.filter((e) => matches(e, shown.filters)) : [];
  const drifted = entries.filter((e) => e.drifted);
  const cards = entries.filter((e) => e.drifted || e.status === 'ACCEPTED');
  // An accepted resource's line is replaced by what AcceptDrift answered.
  const accepted = (entry: DriftEntry) =>
    setShown(
      (s) =>
        s && {
          ...s,
          report: {
            ...s.report,
            resources: s.report.resources.map((r) =>
              r.kind === entry.kind && driftEntryLabel(r) === driftEntryLabel(entry) ? entry : r,
            ),
          },
        },
    );
  const last = shown?.report.lastScheduledCheck;
  return (
    <>
      <PageHeader
        title="Drift"
        subtitle="Deployed environments and service instances whose template renders differently now, or whose CloudFormation stack was changed outside Nucleon."
      />
      <FleetTabs />
      <form className="card form" onSubmit={submit} aria-label="Drift check">
        <div className="filter-row">
          <div className="field">
            <label htmlFor="drift-template">Template</label>
            <input
              id="drift-template"
              value={filters.templateName}
              placeholder="every template"
              onChange={(e) => setFilters({ ...filters, templateName: e.target.value.trim() })}
            />
          </div>
          <div className="field">
            <label htmlFor="drift-environment">Environment</label>
            <input
              id="drift-environment"
              value={filters.environmentName}
              placeholder="every environment"
              onChange={(e) => setFilters({ ...filters, environmentName: e.target.value.trim() })}
            />
          </div>
        </div>
        <CheckboxField id="drift-detect" checked={detect} onChange={setDetect}>
          Also run CloudFormation drift detection (DetectStackDrift) on each stack
        </CheckboxField>
        <div className="form-actions">
          <button type="button" disabled={!!busy} onClick={() => void load('scheduled')}>
            Show the last scheduled report
          </button>
          <button type="submit" className="primary" disabled={!!busy}>
            {busy === 'now' ? 'Checking…' : 'Check now'}
          </button>
        </div>
      </form>
      {noSchedule && (
        <p className="hint" role="status">
          {noSchedule}
        </p>
      )}
      <ErrorBanner error={error} title="The drift check failed" />
      {busy && <Loading what={busy === 'now' ? 'a drift check' : 'the last scheduled report'} />}
      {shown && (
        <Section title="Report">
          <p className="report-source" aria-label="Report source">
            {shown.source === 'scheduled' ? 'Scheduled check' : 'Checked'}{' '}
            <TimeAgo date={shown.at} /> ({formatTime(shown.at)})
            {shown.detect ? ', with CloudFormation drift detection' : ''}:{' '}
            <strong>
              {drifted.length} of {entries.length} resource{entries.length === 1 ? '' : 's'} drifted
            </strong>
            {shown.source === 'scheduled' &&
              (shown.filters.templateName || shown.filters.environmentName) &&
              ' (narrowed to the template and environment above)'}
            .
          </p>
          {shown.source === 'now' && last && (
            <p className="hint">
              Last scheduled check {formatTime(last.checkedAt)}: {last.driftedCount} of{' '}
              {last.resourceCount} drifted.
            </p>
          )}
          {entries.length === 0 ? (
            <EmptyState title="Nothing deployed to check">
              <p>No deployed environment or service instance matches.</p>
            </EmptyState>
          ) : (
            <DriftTable entries={entries} />
          )}
          {cards.map((e) => (
            <DriftEntryCard
              key={`${shown.at.getTime()}:${e.kind}:${driftEntryLabel(e)}`}
              entry={e}
              onAccepted={accepted}
            />
          ))}
        </Section>
      )}
    </>
  );
}
