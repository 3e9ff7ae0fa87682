import { useState, type FormEvent, type ReactNode } from 'react';
import type { ListAuditEventsInput } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { ErrorBanner, Loading, PageHeader, StatusBadge, formatTime } from '../components/ui.js';
import { useQuery } from '../hooks/use-query.js';

const PAGE_SIZES = [10, 50, 200];

interface Filters {
  principal: string;
  operation: string;
  resourceArn: string;
  startTime: string;
  endTime: string;
}

const noFilters: Filters = {
  principal: '',
  operation: '',
  resourceArn: '',
  startTime: '',
  endTime: '',
};

function inputOf(f: Filters): ListAuditEventsInput {
  return {
    ...(f.principal.trim() ? { principal: f.principal.trim() } : {}),
    ...(f.operation.trim() ? { operation: f.operation.trim() } : {}),
    ...(f.resourceArn.trim() ? { resourceArn: f.resourceArn.trim() } : {}),
    ...(f.startTime ? { startTime: new Date(f.startTime) } : {}),
    ...(f.endTime ? { endTime: new Date(f.endTime) } : {}),
  };
}

/** Succeeded calls look ok; failed and denied ones look bad. */
const tone = (outcome: string) => (outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED');

/** The audit log: who called what, on which resource, and how it ended; newest first, paged. */
export function AuditPage(): ReactNode {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  // Tokens of the pages before the shown one ('' is the first page).
  const [tokens, setTokens] = useState<string[]>(['']);
  const [pageSize, setPageSize] = useState(50);
  const token = tokens[tokens.length - 1]!;
  const query = useQuery(
    () =>
      api.extension('ListAuditEvents', {
        ...inputOf(filters),
        maxResults: pageSize,
        ...(token ? { nextToken: token } : {}),
      }),
    [filters, token, pageSize],
  );
  const events = query.data?.events ?? [];
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [key]: e.target.value })),
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setTokens(['']);
  };

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every call to this server, allowed or denied, with who made it: the signed API, the CLI and this console alike."
      />
      <form className="card form" onSubmit={apply} aria-label="Filter the audit log">
        <div className="filter-row">
          <div className="field">
            <label htmlFor="audit-principal">Principal</label>
            <input
              id="audit-principal"
              {...field('principal')}
              placeholder="user name or access key ID"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-operation">Operation</label>
            <input
              id="audit-operation"
              {...field('operation')}
              placeholder="CreateService"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-resource">Resource ARN</label>
            <input
              id="audit-resource"
              {...field('resourceArn')}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-start">From</label>
            <input id="audit-start" type="datetime-local" {...field('startTime')} />
          </div>
          <div className="field">
            <label htmlFor="audit-end">Until</label>
            <input id="audit-end" type="datetime-local" {...field('endTime')} />
          </div>
          <div className="field">
            <label htmlFor="audit-page-size">Events per page</label>
            <select
              id="audit-page-size"
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setTokens(['']);
              }}
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button
            type="button"
            onClick={() => {
              setDraft(noFilters);
              setFilters(noFilters);
              setTokens(['']);
            }}
          >
            Clear
          </button>
          <button type="submit" className="primary">
            Apply filters
          </button>
        </div>
      </form>
      <ErrorBanner error={query.error} title="Could not load the audit log" />
      {!query.data && query.loading && <Loading what="audit events" />}
      {query.data && (
        <>
          <div className="table-wrap">
            <table aria-label="Audit events">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {events.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No audit event matches.
                    </td>
                  </tr>
                )}
                {events.map((e) => (
                  <tr key={e.id} data-operation={e.operation} data-outcome={e.outcome}>
                    <td className="mono nowrap">{formatTime(e.time)}</td>
                    <td>
                      <code title={e.accessKeyId ? `access key ${e.accessKeyId}` : undefined}>
                        {e.principal}
                      </code>
                    </td>
                    <td>
                      {e.operation}
                      <div className="hint">{e.action}</div>
                    </td>
                    <td className="mono">{e.resourceArn}</td>
                    <td>
                      <StatusBadge status={tone(e.outcome)} label={e.outcome.toLowerCase()} />
                    </td>
                    <td className="audit-message">
                      {e.errorType && <strong>{e.errorType}</strong>}
                      {e.message && <div className="status-message">{e.message}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="form-actions">
            <button
              type="button"
              onClick={() => setTokens((t) => t.slice(0, -1))}
              disabled={tokens.length < 2}
            >
              Newer
            </button>
            <span className="muted">Page {tokens.length}</span>
            <button
              type="button"
              onClick={() => setTokens((t) => [...t, query.data?.nextToken ?? ''])}
              disabled={!query.data.nextToken}
            >
              Older
            </button>
          </div>
        </>
      )}
    </>
  );
}
