import { useState, type FormEvent, type ReactNode } from 'react';
import type { NucleonGrant, NucleonRole, NucleonUser } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import { ErrorBanner, Loading, PageHeader, Section, TimeAgo } from '../components/ui.js';
import { useAccess } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';

export const ROLES: readonly NucleonRole[] = ['admin', 'platform', 'developer', 'read-only'];

export const ROLE_HINTS: Record<NucleonRole, string> = {
  admin: 'everything, including users, grants, keys and the audit log',
  platform: 'templates and environments; reads services',
  developer: 'services and components; reads the rest',
  'read-only': 'reads everything it can see, changes nothing',
};

/** Creates a user with a role and, optionally, a console password. */
function CreateUserForm(props: { onCreated(): void; onCancel(): void }): ReactNode {
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
      await api.extension('CreateUser', { userName: userName.trim(), role, ...(password ? { password } : {}) });
      props.onCreated();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">New user</h2>
      <div className="field">
        <label htmlFor="user-name">
          User name <span className="required">(required)</span>
        </label>
        <input id="user-name" value={userName} onChange={(e) => setUserName(e.target.value)} required maxLength={64} autoComplete="off" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor="user-role">Role</label>
        <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as NucleonRole)} aria-describedby="user-role-hint">
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
        <input id="user-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} minLength={12} autoComplete="new-password" aria-describedby="user-password-hint" />
        <div id="user-password-hint" className="hint">
          Optional, at least 12 characters: lets the user sign in to this console with their name. Tools use access keys (made on the Access keys page).
        </div>
      </div>
      <ErrorBanner error={error} title="Could not create the user" />
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !userName.trim() || (password.length > 0 && password.length < 12)}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </div>
    </form>
  );
}

/** Adds a grant: which templates or environments a user's role applies to. */
function AddGrantForm(props: { users: NucleonUser[]; onAdded(): void }): ReactNode {
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
    <form className="form" onSubmit={submit} aria-label="Add a grant">
      <div className="picker-row">
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
          <select id="grant-kind" value={kind} onChange={(e) => setKind(e.target.value as NucleonGrant['kind'])}>
            <option value="environment">environment</option>
            <option value="template">template</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="grant-pattern">Name pattern</label>
          <input id="grant-pattern" value={pattern} onChange={(e) => setPattern(e.target.value)} placeholder="dev-*" maxLength={100} required autoComplete="off" spellCheck={false} />
        </div>
      </div>
      <p className="hint">
        Grants narrow a role to the {kind === 'environment' ? 'environments (and what runs in them)' : 'templates'} whose name matches (<code>*</code> any run of characters, <code>?</code> one).
        Developers reach only granted templates and environments; platform and read-only users are narrowed in a kind once they hold a grant of it; admins never.
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

/** Users, their roles and grants (admins only). */
export function UsersPage(): ReactNode {
  const { caller } = useAccess();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const query = useQuery(async () => {
    const [users, grants] = await Promise.all([api.extension('ListUsers', {}), api.extension('ListGrants', {})]);
    return { users: users.users, grants: grants.grants };
  }, []);
  const users = query.data?.users ?? [];
  const grants = query.data?.grants ?? [];

  const removeGrant = async (g: NucleonGrant) => {
    setActionError(undefined);
    try {
      await api.extension('RemoveGrant', { userName: g.userName, kind: g.kind, pattern: g.pattern });
      query.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const columns: Column<NucleonUser>[] = [
    { key: 'name', label: 'User', sortValue: (u) => u.userName, render: (u) => <code>{u.userName}</code> },
    { key: 'role', label: 'Role', sortValue: (u) => u.role, render: (u) => <span className="chip">{u.role}</span> },
    { key: 'password', label: 'Console password', render: (u) => (u.hasPassword ? 'yes' : 'no') },
    { key: 'keys', label: 'Access keys', sortValue: (u) => u.accessKeyIds.length, render: (u) => (u.accessKeyIds.length ? u.accessKeyIds.map((k) => <code key={k} className="chip">{k}</code>) : '—') },
    { key: 'grants', label: 'Grants', render: (u) => grants.filter((g) => g.userName === u.userName).length || '—' },
    { key: 'created', label: 'Created', sortValue: (u) => u.createdAt.getTime(), render: (u) => <TimeAgo date={u.createdAt} /> },
    {
      key: 'actions',
      label: 'Actions',
      render: (u) =>
        u.userName !== caller.userName && (
          <button type="button" className="danger" onClick={() => setDeleting(u.userName)} aria-label={`Delete user ${u.userName}`}>
            Delete
          </button>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="People and their roles. A user signs in to the console with a password, and uses tools with access keys that belong to them."
        actions={
          !creating && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New user
            </button>
          )
        }
      />
      {creating && (
        <CreateUserForm
          onCancel={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            query.reload();
          }}
        />
      )}
      <ErrorBanner error={query.error} title="Could not load the users" />
      {!query.data && query.loading && <Loading what="users" />}
      {query.data && (
        <>
          <SortableTable columns={columns} rows={users} rowKey={(u) => u.userName} caption="Users" empty={<p className="muted">No users yet. Access keys without a user act as admins.</p>} />
          <Section title="Grants">
            <ErrorBanner error={actionError} title="Could not remove the grant" onDismiss={() => setActionError(undefined)} />
            {grants.length === 0 ? (
              <p className="muted">No grants yet: developers reach no template or environment until they get one.</p>
            ) : (
              <div className="table-wrap">
                <table aria-label="Grants">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Pattern</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {grants.map((g) => (
                      <tr key={`${g.userName}|${g.kind}|${g.pattern}`}>
                        <td>
                          <code>{g.userName}</code>
                        </td>
                        <td>{g.kind}</td>
                        <td>
                          <code>{g.pattern}</code>
                        </td>
                        <td className="row-actions">
                          <button type="button" onClick={() => void removeGrant(g)} aria-label={`Remove grant ${g.kind} ${g.pattern} of ${g.userName}`}>
                            Remove
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {users.length > 0 && <AddGrantForm users={users} onAdded={() => query.reload()} />}
          </Section>
        </>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete user ${deleting}?`}
          typeToConfirm={deleting}
          confirmLabel="Delete user"
          danger
          onConfirm={async () => {
            await api.extension('DeleteUser', { userName: deleting });
            query.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>The user's grants and access keys are deleted with it, and its console sessions end.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
