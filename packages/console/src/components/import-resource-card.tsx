import type { ReactNode } from 'react';
import type { NucleonImportResult, ProtonImportRequest } from '@nucleon/protocol';
import { resourceLabel, verdictOf, type MatchOutcome } from '../api/import-requests.js';

const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-');

const TONE = { identical: 'ok', differs: 'bad', unmatched: 'neutral' } as const;

/**
 * One discovered resource in the import wizard: its stacks, its editable spec, how it matched
 * (identical, differs with the diff, unmatched with the reason), and whether to adopt it — one
 * that differs only once its differences are accepted.
 */
export function ImportResourceCard(props: {
  discovered: ProtonImportRequest;
  inferred: string[];
  yaml: string;
  onYaml: (yaml: string) => void;
  match: MatchOutcome | undefined;
  selected: boolean;
  onSelected: (selected: boolean) => void;
  acceptDifferences: boolean;
  onAcceptDifferences: (accept: boolean) => void;
  adoption: { results: NucleonImportResult[]; adopted: boolean; error?: string } | undefined;
  disabled: boolean;
}): ReactNode {
  const label = resourceLabel(props.discovered);
  const id = slug(label);
  const verdict = props.match ? verdictOf(props.match) : undefined;
  const differs = verdict === 'differs';
  const already = !!props.match?.results.length && props.match.results.every((r) => r.adopted);
  return (
    <article className="card" aria-label={label} data-verdict={verdict ?? ''}>
      <div className="section-head">
        <h3>{label}</h3>
        {verdict && (
          <span className={`badge badge-${TONE[verdict]}`} aria-label={`${label}: ${verdict}`}>
            {already ? `${verdict}, adopted` : verdict}
          </span>
        )}
      </div>
      <ul className="hint">
        {props.discovered.stacks.map((s) => (
          <li key={s.target}>
            {s.target}: <code>{s.stackName}</code>
          </li>
        ))}
        {(props.discovered.folders ?? []).map((f) => (
          <li key={f.target}>
            {f.target}: <code>{f.folder}/</code>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={`spec-${id}`}>Spec of {label}</label>
        <textarea
          id={`spec-${id}`}
          className="mono"
          rows={Math.min(24, props.yaml.split('\n').length + 1)}
          value={props.yaml}
          disabled={props.disabled}
          aria-describedby={`spec-${id}-hint`}
          onChange={(e) => props.onYaml(e.target.value)}
        />
        <div id={`spec-${id}-hint`} className="hint">
          {props.inferred.length ? `Filled in from the stacks: ${props.inferred.join(', ')}. ` : ''}
          Add the other inputs Proton deployed it with.
        </div>
      </div>
      {props.match?.unmatched && (
        <p className="field-error" role="status">
          Unmatched: {props.match.unmatched}
        </p>
      )}
      {props.match?.results.map((r) => (
        <div key={r.target}>
          <p>
            {r.target} (<code>{r.stackName || `${r.folder ?? ''}/`}</code>):{' '}
            {r.match === 'EXACT' ? 'identical' : 'differs'}
            {r.adopted ? ` — ${r.message ?? 'adopted'}` : ''}
          </p>
          {r.diff && (
            <pre className="code" aria-label={`Differences of ${label} ${r.target}`}>
              {r.diff}
            </pre>
          )}
        </div>
      ))}
      {props.match && !already && (
        <>
          {differs && (
            <div className="field field-checkbox">
              <input
                id={`accept-${id}`}
                type="checkbox"
                checked={props.acceptDifferences}
                disabled={props.disabled}
                onChange={(e) => props.onAcceptDifferences(e.target.checked)}
              />
              <label htmlFor={`accept-${id}`}>Accept differences of {label}</label>
              <div className="hint">
                It is adopted as it runs and shown as drifted; its next deployment replaces the
                stack&apos;s template with the rendered one.
              </div>
            </div>
          )}
          <div className="field field-checkbox">
            <input
              id={`adopt-${id}`}
              type="checkbox"
              checked={props.selected}
              disabled={props.disabled || (differs && !props.acceptDifferences)}
              onChange={(e) => props.onSelected(e.target.checked)}
            />
            <label htmlFor={`adopt-${id}`}>Adopt {label}</label>
          </div>
        </>
      )}
      {props.adoption && (
        <p role="status" className={props.adoption.adopted ? 'hint' : 'field-error'}>
          {props.adoption.adopted ? '' : 'Not adopted: '}
          {props.adoption.error ??
            props.adoption.results.map((r) => r.message ?? r.match).join(' ')}
        </p>
      )}
    </article>
  );
}
