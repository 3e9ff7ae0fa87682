import type { ReactNode } from 'react';
import { Link } from '../router.js';

const running = /IN_PROGRESS|CANCELLING/;

/** Whether a deployment or resource status means work is still going on. */
export function isRunning(status: string | undefined): boolean {
  return !!status && running.test(status);
}

/** The colour family of a status: ok, busy, bad, draft or neutral (badges and graph nodes alike). */
export function toneOf(status: string): string {
  if (running.test(status)) return 'busy';
  if (/FAILED/.test(status)) return 'bad';
  if (
    status === 'SUCCEEDED' ||
    status === 'ACTIVE' ||
    status === 'PUBLISHED' ||
    status === 'UPDATE_COMPLETE'
  )
    return 'ok';
  if (status === 'DRAFT') return 'draft';
  return 'neutral';
}

/** A status in words and colour (never colour alone). */
export function StatusBadge(props: { status: string | undefined; label?: string }): ReactNode {
  const status = props.status ?? 'UNKNOWN';
  return (
    <span className={`badge badge-${toneOf(status)}`} data-status={status}>
      {isRunning(status) && <span className="pulse" aria-hidden="true" />}
      {props.label ?? status.replace(/_/g, ' ').toLowerCase()}
    </span>
  );
}

export function ErrorBanner(props: {
  error: unknown;
  title?: string;
  onDismiss?: () => void;
}): ReactNode {
  if (!props.error) return null;
  const e = props.error as { name?: string; message?: string };
  return (
    <div className="error-banner" role="alert">
      <strong>{props.title ?? 'Something went wrong'}</strong>
      <p>
        {e.name && e.name !== 'Error' && <code className="error-type">{e.name}</code>}{' '}
        {e.message ?? (typeof props.error === 'string' ? props.error : JSON.stringify(props.error))}
      </p>
      {props.onDismiss && (
        <button type="button" className="link-button" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

export function Loading(props: { what?: string }): ReactNode {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading{props.what ? ` ${props.what}` : ''}…
    </p>
  );
}

export function EmptyState(props: { title: string; children: ReactNode }): ReactNode {
  return (
    <div className="empty-state">
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

export interface Crumb {
  label: string;
  to?: string;
}

export function PageHeader(props: {
  title: ReactNode;
  crumbs?: Crumb[];
  subtitle?: ReactNode;
  actions?: ReactNode;
}): ReactNode {
  return (
    <header className="page-header">
      {props.crumbs && (
        <nav aria-label="Breadcrumb" className="crumbs">
          {props.crumbs.map((c, i) => (
            <span key={i}>
              {c.to ? <Link to={c.to}>{c.label}</Link> : c.label}
              <span aria-hidden="true"> / </span>
            </span>
          ))}
        </nav>
      )}
      <div className="page-title-row">
        <h1>{props.title}</h1>
        {props.actions && <div className="actions">{props.actions}</div>}
      </div>
      {props.subtitle && <div className="subtitle">{props.subtitle}</div>}
    </header>
  );
}

export function Section(props: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}): ReactNode {
  const id = props.id ?? `section-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="section" aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{props.title}</h2>
        {props.actions && <div className="actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

/** A two-column list of facts. */
export function Facts(props: { items: Array<[string, ReactNode]> }): ReactNode {
  return (
    <dl className="facts">
      {props.items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(date: Date | undefined): string {
  return date ? dateFormat.format(date) : '—';
}

/** "3 minutes ago", with the exact time in a tooltip. */
export function TimeAgo(props: { date: Date | undefined }): ReactNode {
  if (!props.date) return <span>—</span>;
  const seconds = Math.round((Date.now() - props.date.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    Math.abs(seconds) < 60
      ? [-seconds, 'second']
      : Math.abs(seconds) < 3600
        ? [-Math.round(seconds / 60), 'minute']
        : Math.abs(seconds) < 86400
          ? [-Math.round(seconds / 3600), 'hour']
          : [-Math.round(seconds / 86400), 'day'];
  return (
    <time dateTime={props.date.toISOString()} title={formatTime(props.date)}>
      {rtf.format(value, unit)}
    </time>
  );
}

export function version(major: string | undefined, minor: string | undefined): string {
  return major === undefined ? '—' : `${major}.${minor ?? '0'}`;
}

/** A checkbox with its label, in the forms' checkbox row. */
export function CheckboxField(props: {
  id: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}): ReactNode {
  return (
    <div className="field-checkbox">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={props.id}>{props.children}</label>
    </div>
  );
}
