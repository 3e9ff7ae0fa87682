import { useState, type FormEvent, type ReactNode } from 'react';
import type { NucleonAccessKey, NucleonRole } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import { ErrorBanner, Loading, PageHeader, Section, TimeAgo } from '../components/ui.js';
import { useAccess } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { ROLES } from '../components/create-user-form.js';

/** Creates an access key, for a user or on its own with a role; shows the secret once. */
function CreateKeyForm(props: {
  userNames: string[];
  onCreated: (key: NucleonAccessKey) => void;
  onCancel: () => void;
}): ReactNode {
  const [userName, setUserName] = useState('');
  const [role, setRole] = useState<NucleonRole | ''>('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { accessKey } = await api.extension('CreateAccessKey', {
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(userName ? { userName } : {}),
        ...(role ? { role } : {}),
      });
      props.onCreated(accessKey);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-labelledby="create-key-title">
      <h2 id="create-key-title">New access key</h2>
      <div className="field">
        <label htmlFor="key-user">User</label>
        <select
          id="key-user"
          value={userName}
          onChange={(e) => setUserName(e.target.value)}
          aria-describedby="key-user-hint"
        >
          <option value="">(no user)</option>
          {props.userNames.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        <div id="key-user-hint" className="hint">
          A key that belongs to a user acts as that user, with its role and grants.
        </div>
      </div>
      <div className="field">
        <label htmlFor="key-role">Role</label>
        <select
          id="key-role"
          value={role}
          onChange={(e) => setRole(e.target.value as NucleonRole | '')}
          aria-describedby="key-role-hint"
        >
          <option value="">{userName ? "(the user's role)" : '(admin)'}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <div id="key-role-hint" className="hint">
          A key's own role; for a user's key it may only narrow the user's role.
        </div>
      </div>
      <div className="field">
        <label htmlFor="key-description">Description</label>
        <input
          id="key-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={500}
          placeholder="CI pipeline"
        />
      </div>
      <ErrorBanner error={error} title="Could not create the key" />
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

/** Access keys of this server (admins only): who they act as, and their secrets once at creation. */
export function AccessKeysPage(): ReactNode {
  const { caller } = useAccess();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NucleonAccessKey>();
  const [deleting, setDeleting] = useState<string>();
  const query = useQuery(async () => {
    const [keys, users] = await Promise.all([
      api.extension('ListAccessKeys', {}),
      api.extension('ListUsers', {}),
    ]);
    return { keys: keys.accessKeys, userNames: users.users.map((u) => u.userName) };
  }, []);

  const columns: Column<NucleonAccessKey>[] = [
    {
      key: 'id',
      label: 'Access key ID',
      sortValue: (k) => k.accessKeyId,
      render: (k) => <code>{k.accessKeyId}</code>,
    },
    {
      key: 'user',
      label: 'User',
      sortValue: (k) => k.userName ?? '',
      render: (k) => (k.userName ? <code>{k.userName}</code> : '—'),
    },
    {
      key: 'role',
      label: 'Role',
      sortValue: (k) => k.role ?? '',
      render: (k) => <span className="chip">{k.role ?? 'admin'}</span>,
    },
    {
      key: 'description',
      label: 'Description',
      render: (k) => (k.root ? 'root key' : (k.description ?? '—')),
    },
    {
      key: 'created',
      label: 'Created',
      sortValue: (k) => k.createdAt.getTime(),
      render: (k) => <TimeAgo date={k.createdAt} />,
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (k) =>
        !k.root &&
        k.accessKeyId !== caller.accessKeyId && (
          <button
            type="button"
            className="danger"
            onClick={() => setDeleting(k.accessKeyId)}
            aria-label={`Delete access key ${k.accessKeyId}`}
          >
            Delete
          </button>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Access keys"
        subtitle="Keys for the AWS CLI, the SDKs and the nucleon CLI. A key acts as its user, or on its own with its role."
        actions={
          !creating && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New access key
            </button>
          )
        }
      />
      {created && (
        <Section title="Key created">
          <p>
            Copy the secret now: it is shown only once. Access key ID{' '}
            <code>{created.accessKeyId}</code>
            {created.userName && (
              <>
                , for <code>{created.userName}</code>
              </>
            )}
            .
          </p>
          <pre className="code" aria-label="New secret access key">
            {created.secretAccessKey}
          </pre>
          <button type="button" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </Section>
      )}
      {creating && (
        <CreateKeyForm
          userNames={query.data?.userNames ?? []}
          onCancel={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            setCreated(key);
            query.reload();
          }}
        />
      )}
      <ErrorBanner error={query.error} title="Could not load the access keys" />
      {!query.data && query.loading && <Loading what="access keys" />}
      {query.data && (
        <SortableTable
          columns={columns}
          rows={query.data.keys}
          rowKey={(k) => k.accessKeyId}
          caption="Access keys"
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete access key ${deleting}?`}
          confirmLabel="Delete key"
          danger
          onConfirm={async () => {
            await api.extension('DeleteAccessKey', { accessKeyId: deleting });
            query.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>Tools using this key stop working at once, and console sessions opened with it end.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
