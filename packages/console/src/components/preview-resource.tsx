import type { ReactNode } from 'react';
import type { ChangeSet, PreviewFile, PreviewResource } from '../api/fleet-shapes.js';
import { Link } from '../router.js';
import { fleetMember } from './fleet-member.js';
import { UnifiedDiff } from './unified-diff.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a change set would do to one stack; data-losing changes first and loud. */
function ChangeSetView(props: { changeSet: ChangeSet; name: string }): ReactNode {
  const { changeSet: cs } = props;
  const s = cs.summary ?? {};
  const replaced = (c: ChangeSet['changes'][number]) =>
    c.replacement === 'True' || c.replacement === 'Conditional';
  return (
    <div className="change-set">
      <h4>CloudFormation change set</h4>
      {(cs.statefulReplacements ?? []).length > 0 && (
        <div className="callout callout-danger" role="alert" aria-label="Data at risk">
          <strong>Data at risk</strong>
          <ul>
            {cs.statefulReplacements!.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      <p className="change-counts" aria-label={`Change set summary of ${props.name}`}>
        <span className="count-add">{plural(s.adds ?? 0, 'add')}</span>
        <span className="count-modify">{plural(s.modifications ?? 0, 'modification')}</span>
        <span className="count-remove">{plural(s.removals ?? 0, 'removal')}</span>
        <span className={s.replacements ? 'count-remove' : 'count-modify'}>
          {plural(s.replacements ?? 0, 'replacement')}
        </span>
        <span className="muted">
          {cs.status}
          {cs.statusReason ? `: ${cs.statusReason}` : ''}
        </span>
      </p>
      {cs.changes.length > 0 && (
        <table aria-label={`Stack changes of ${props.name}`} className="stack-changes">
          <thead>
            <tr>
              <th>Action</th>
              <th>Logical ID</th>
              <th>Type</th>
              <th>Replacement</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {cs.changes.map((c) => (
              <tr
                key={`${c.action}:${c.logicalResourceId}`}
                data-action={c.action}
                className={c.destroysData ? 'row-danger' : undefined}
              >
                <td>
                  <span className={`action action-${c.action.toLowerCase()}`}>{c.action}</span>
                </td>
                <td>
                  <code>{c.logicalResourceId}</code>
                </td>
                <td>
                  <code>{c.resourceType}</code>
                </td>
                <td>{replaced(c) ? <strong>{c.replacement}</strong> : (c.replacement ?? '—')}</td>
                <td>
                  {c.destroysData ? (
                    <strong className="bad-text">would be lost</strong>
                  ) : c.stateful ? (
                    'stateful'
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function FileDiff(props: { file: PreviewFile; owner: string }): ReactNode {
  const { file } = props;
  return (
    <details className="file-diff" open data-path={file.path} data-change={file.change}>
      <summary>
        <code>{file.path}</code>{' '}
        <span className={`action action-${file.change.toLowerCase()}`}>
          {file.change.toLowerCase()}
        </span>
      </summary>
      {file.diff ? (
        <UnifiedDiff diff={file.diff} label={`Diff of ${file.path} for ${props.owner}`} />
      ) : (
        <p className="muted">No diff was recorded for this file.</p>
      )}
    </details>
  );
}

/** One instance of a preview: its change set, input changes and file diffs. */
export function PreviewResourceCard(props: { resource: PreviewResource }): ReactNode {
  const r = props.resource;
  const { label: name, path } = fleetMember(r);
  const files = r.files ?? [];
  const changed = files.filter((f) => f.change !== 'UNCHANGED');
  const unchanged = files.filter((f) => f.change === 'UNCHANGED');
  const inputs = r.inputChanges ?? [];
  return (
    <article className="card preview-resource" aria-label={name} data-instance={name}>
      <h3>
        <Link to={path}>{name}</Link>{' '}
        <span className="muted">
          in {r.environmentName}
          {r.engine ? ` · ${r.engine}` : ''} · {r.currentVersion ?? '—'} → {r.targetVersion ?? '—'}
        </span>
      </h3>
      {r.error && (
        <div className="callout callout-danger" role="alert">
          <strong>Cannot be previewed</strong> {r.error}
        </div>
      )}
      {r.changeSet && <ChangeSetView changeSet={r.changeSet} name={name} />}
      {r.changeSetNote && <p className="hint">{r.changeSetNote}</p>}
      {inputs.length > 0 && (
        <>
          <h4>Input changes</h4>
          <table aria-label={`Input changes of ${name}`} className="kv">
            <thead>
              <tr>
                <th>Input</th>
                <th>Now</th>
                <th>After</th>
              </tr>
            </thead>
            <tbody>
              {inputs.map((c) => (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                  </td>
                  <td className="diff-remove-cell">
                    {c.before === undefined ? <em>not set</em> : <code>{c.before}</code>}
                  </td>
                  <td className="diff-add-cell">
                    {c.after === undefined ? <em>not set</em> : <code>{c.after}</code>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {files.length > 0 && (
        <>
          <h4>
            Files{' '}
            <span className="muted">
              ({plural(changed.length, 'changed file')}, {unchanged.length} unchanged)
            </span>
          </h4>
          {changed.map((f) => (
            <FileDiff key={f.path} file={f} owner={name} />
          ))}
          {unchanged.length > 0 && (
            <p className="muted">
              Unchanged:{' '}
              {unchanged.map((f, i) => (
                <span key={f.path}>
                  {i > 0 && ', '}
                  <code>{f.path}</code>
                </span>
              ))}
            </p>
          )}
        </>
      )}
      {!r.error && files.length > 0 && changed.length === 0 && inputs.length === 0 && (
        <p className="muted">Nothing this instance deploys would change.</p>
      )}
    </article>
  );
}
