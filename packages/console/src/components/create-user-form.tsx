import { useState, type FormEvent, type ReactNode } from 'react';
import type { NucleonRole } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { ErrorBanner } from './ui.js';

export const ROLES: readonly NucleonRole[] = ['admin', 'platform', 'developer', 'read-only'];

export const ROLE_HINTS: Record<NucleonRole, string> = {
  admin: 'everything, including users, grants, keys and the audit log',
  platform: 'templates and environments; reads services',
  developer: 'services and components; reads the rest',
  'read-only': 'reads everything it can see, changes nothing',
};

/** Creates a user with a role and, optionally, a console password. */
export function CreateUserForm(props: { onCreated: () => void; onCancel: () => void }): ReactNode {
  const [userName, setUserName] = useState('');
  const [role, setRole] = useState<NucleonRole>('developer');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.extension('CreateUser', {
        userName: userName.trim(),
        role,
        ...(password ? { password } : {}),
      });
      props.onCreated();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form
      className="card form"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="create-user-title"
    >
      <h2 id="create-user-title">New user</h2>
      <div className="field">
        <label htmlFor="user-name">
          User name <span className="required">(required)</span>
        </label>
        <input
          id="user-name"
          value={userName}
          onChange={(e) => setUserName(e.target.value)}
          required
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field">
        <label htmlFor="user-role">Role</label>
        <select
          id="user-role"
          value={role}
          onChange={(e) => setRole(e.target.value as NucleonRole)}
          aria-describedby="user-role-hint"
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <div id="user-role-hint" className="hint">
          {ROLE_HINTS[role]}
        </div>
      </div>
      <div className="field">
        <label htmlFor="user-password">Console password</label>
        <input
          id="user-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          minLength={12}
          autoComplete="new-password"
          aria-describedby="user-password-hint"
        />
        <div id="user-password-hint" className="hint">
          Optional, at least 12 characters: lets the user sign in to this console with their name.
          Tools use access keys (made on the Access keys page).
        </div>
      </div>
      <ErrorBanner error={error} title="Could not create the user" />
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          disabled={busy || !userName.trim() || (password.length > 0 && password.length < 12)}
        >
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}
