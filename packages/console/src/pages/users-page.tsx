import { useState, type ReactNode } from 'react';
import type { NucleonGrant, NucleonUser } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { AddGrantForm } from '../components/add-grant-form.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { CreateUserForm } from '../components/create-user-form.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import { ErrorBanner, Loading, PageHeader, Section, TimeAgo } from '../components/ui.js';
import { useAccess } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';

/** Users, their roles and grants (admins only). */
export function UsersPage(): ReactNode {
  const { caller } = useAccess();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const query = useQuery(async () => {
    const [users, grants] = await Promise.all([
      api.extension('ListUsers', {}),
      api.extension('ListGrants', {}),
    ]);
    return { users: users.users, grants: grants.grants };
  }, []);
  const users = query.data?.users ?? [];
  const grants = query.data?.grants ?? [];

  const removeGrant = async (g: NucleonGrant) => {
    setActionError(undefined);
    try {
      await api.extension('RemoveGrant', {
        userName: g.userName,
        kind: g.kind,
        pattern: g.pattern,
      });
      query.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const columns: Column<NucleonUser>[] = [
    {
      key: 'name',
      label: 'User',
      sortValue: (u) => u.userName,
      render: (u) => <code>{u.userName}</code>,
    },
    {
      key: 'role',
      label: 'Role',
      sortValue: (u) => u.role,
      render: (u) => <span className="chip">{u.role}</span>,
    },
    { key: 'password', label: 'Console password', render: (u) => (u.hasPassword ? 'yes' : 'no') },
    {
      key: 'keys',
      label: 'Access keys',
      sortValue: (u) => u.accessKeyIds.length,
      render: (u) =>
        u.accessKeyIds.length
          ? u.accessKeyIds.map((k) => (
              <code key={k} className="chip">
                {k}
              </code>
            ))
          : '—',
    },
    {
      key: 'grants',
      label: 'Grants',
      render: (u) => grants.filter((g) => g.userName === u.userName).length || '—',
    },
    {
      key: 'created',
      label: 'Created',
      sortValue: (u) => u.createdAt.getTime(),
      render: (u) => <TimeAgo date={u.createdAt} />,
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (u) =>
        u.userName !== caller.userName && (
          <button
            type="button"
            className="danger"
            onClick={() => setDeleting(u.userName)}
            aria-label={`Delete user ${u.userName}`}
          >
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
          <SortableTable
            columns={columns}
            rows={users}
            rowKey={(u) => u.userName}
            caption="Users"
            empty={<p className="muted">No users yet. Access keys without a user act as admins.</p>}
          />
          <Section title="Grants">
            <ErrorBanner
              error={actionError}
              title="Could not remove the grant"
              onDismiss={() => setActionError(undefined)}
            />
            {grants.length === 0 ? (
              <p className="muted">
                No grants yet: developers reach no template or environment until they get one.
              </p>
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
                          <button
                            type="button"
                            onClick={() => void removeGrant(g)}
                            aria-label={`Remove grant ${g.kind} ${g.pattern} of ${g.userName}`}
                          >
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
          <p>
            The user's grants and access keys are deleted with it, and its console sessions end.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
