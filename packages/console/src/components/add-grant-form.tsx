import { useState, type FormEvent, type ReactNode } from 'react';
import type { NucleonGrant, NucleonUser } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { ErrorBanner } from './ui.js';

/** Adds a grant: which templates or environments a user's role applies to. */
export function AddGrantForm(props: { users: NucleonUser[]; onAdded: () => void }): ReactNode {
  const [userName, setUserName] = useState('');
  const [kind, setKind] = useState<NucleonGrant['kind']>('environment');
  const [pattern, setPattern] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const user = userName || props.users[0]?.userName || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.extension('AddGrant', { userName: user, kind, pattern: pattern.trim() });
      setPattern('');
      props.onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Add a grant">
      <div className="filter-row">
        <div className="field">
          <label htmlFor="grant-user">User</label>
          <select id="grant-user" value={user} onChange={(e) => setUserName(e.target.value)}>
            {props.users.map((u) => (
              <option key={u.userName} value={u.userName}>
                {u.userName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="grant-kind">Kind</label>
          <select
            id="grant-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as NucleonGrant['kind'])}
          >
            <option value="environment">environment</option>
            <option value="template">template</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="grant-pattern">Name pattern</label>
          <input
            id="grant-pattern"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            placeholder="dev-*"
            maxLength={100}
            required
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      </div>
      <p className="hint">
        Grants narrow a role to the{' '}
        {kind === 'environment' ? 'environments (and what runs in them)' : 'templates'} whose name
        matches (<code>*</code> any run of characters, <code>?</code> one). Developers reach only
        granted templates and environments; platform and read-only users are narrowed in a kind once
        they hold a grant of it; admins never.
      </p>
      <ErrorBanner error={error} title="Could not add the grant" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !user || !pattern.trim()}>
          {busy ? 'Adding…' : 'Add grant'}
        </button>
      </div>
    </form>
  );
}
