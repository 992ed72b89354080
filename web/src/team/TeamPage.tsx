import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Role, User } from '../api/types';
import { keys } from '../inbox/cache';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Icon';
import { Empty, Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { BlockedSendersSection } from './BlockedSendersSection';
import { CannedRepliesSection } from './CannedRepliesSection';
import { MacrosSection } from './MacrosSection';
import { NotificationSettingsSection } from './NotificationSettingsSection';
import { TeamsSection } from './TeamsSection';
import './team.css';

type TeamRole = Exclude<Role, 'customer'>;

/**
 * The team list. Managing it needs the team API (POST/PATCH /api/users,
 * `includeInactive`); until the server has it, the page lists and says so.
 */
async function loadTeam(): Promise<{ users: User[]; manageable: boolean }> {
  try {
    return { users: (await endpoints.team(true)).items, manageable: true };
  } catch (error) {
    // An older server refuses the unknown query parameter.
    if (error instanceof ApiError && error.status === 400) return { users: (await endpoints.team(false)).items, manageable: false };
    throw error;
  }
}

/** A member's name, and for an admin a way to change it in place. */
function NameCell({ user, self, manageable, onRename }: { user: User; self: boolean; manageable: boolean; onRename(name: string): Promise<unknown> }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(user.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const clean = name.trim();
    if (clean === user.name) return setEditing(false);
    setBusy(true);
    setError(null);
    try {
      await onRename(clean);
      setEditing(false);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  if (editing) {
    return (
      <form className="rename-form" onSubmit={submit}>
        <input aria-label={`New name for ${user.name}`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        <button type="submit" className="button button-small button-primary" disabled={busy || !name.trim()}>
          Save
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            setEditing(false);
            setName(user.name);
            setError(null);
          }}
        >
          Cancel
        </button>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    );
  }
  return (
    <span className="member-name">
      <Avatar user={user} /> {user.name}
      {self ? ' (you)' : ''}
      {manageable ? (
        <button
          type="button"
          className="button button-small button-ghost"
          onClick={() => {
            setName(user.name);
            setEditing(true);
          }}
        >
          Rename<span className="visually-hidden"> {user.name}</span>
        </button>
      ) : null}
    </span>
  );
}

function AddAgent({ onAdded }: { onAdded(): void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<TeamRole>('agent');
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => endpoints.createUser({ name: name.trim(), email: email.trim(), password, role }),
    onSuccess: ({ user }) => {
      showToast('info', `${user.name} was added`);
      setName('');
      setEmail('');
      setPassword('');
      setRole('agent');
      setError(null);
      onAdded();
    },
    onError: (failure) => setError(errorMessage(failure)),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card add-agent" onSubmit={submit} aria-labelledby="add-agent-title">
      <h2 id="add-agent-title">Add a team member</h2>
      <div className="form-grid">
        <label className="field">
          <span>Name</span>
          <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="off" />
        </label>
        <label className="field">
          <span>Email</span>
          <input required type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} autoComplete="off" />
        </label>
        <label className="field">
          <span>Initial password</span>
          <input required type="password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        {create.isPending ? 'Adding…' : 'Add member'}
      </button>
    </form>
  );
}

export function TeamPage({ me, onMenu }: { me: User; onMenu(): void }) {
  const client = useQueryClient();
  const team = useQuery({ queryKey: keys.team, queryFn: loadTeam });
  const update = useMutation({
    mutationFn: ({ user, patch }: { user: User; patch: { role?: TeamRole; active?: boolean } }) => endpoints.patchUser(user.id, patch),
    onMutate: ({ user, patch }) => {
      const before = client.getQueryData<Awaited<ReturnType<typeof loadTeam>>>(keys.team);
      client.setQueryData<Awaited<ReturnType<typeof loadTeam>>>(keys.team, (data) =>
        data ? { ...data, users: data.users.map((u) => (u.id === user.id ? { ...u, ...patch } : u)) } : data,
      );
      return { before };
    },
    onError: (error, { user }, context) => {
      client.setQueryData(keys.team, context?.before);
      showError(`Couldn’t update ${user.name}: ${errorMessage(error)}`);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.team });
      void client.invalidateQueries({ queryKey: keys.agents });
    },
  });

  // A refusal is shown beside the name being edited, so no toast here.
  const rename = async (user: User, name: string) => {
    await endpoints.patchUser(user.id, { name });
    await client.invalidateQueries({ queryKey: keys.team });
    void client.invalidateQueries({ queryKey: keys.agents });
    if (user.id === me.id) void client.invalidateQueries({ queryKey: keys.me });
  };

  // Agents keep their own canned replies here; the rest of the page is the admins'.
  if (me.role !== 'admin')
    return (
      <>
        <Empty title="Only admins manage the team" />
        <CannedRepliesSection />
        <MacrosSection />
        <BlockedSendersSection />
      </>
    );

  let body: ReactNode;
  if (team.isPending) body = <Loading label="Loading the team…" />;
  else if (team.isError) body = <Failed what="the team" error={team.error} retry={() => void team.refetch()} />;
  else {
    const { users, manageable } = team.data;
    body = (
      <>
        {!manageable ? (
          <p className="notice" role="note">
            This server cannot add or change team members yet (it has no team API). The list is read-only.
          </p>
        ) : null}
        {users.length === 0 ? (
          <Empty title="No team members yet" />
        ) : (
          <table className="team-table">
            <caption className="visually-hidden">Team members</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => {
                const active = user.active !== false;
                const self = user.id === me.id;
                return (
                  <tr key={user.id} data-user-id={user.id} data-active={active}>
                    <td>
                      <NameCell user={user} self={self} manageable={manageable} onRename={(name) => rename(user, name)} />
                    </td>
                    <td>{user.email}</td>
                    <td>
                      {manageable && !self ? (
                        <select
                          aria-label={`Role of ${user.name}`}
                          value={user.role}
                          onChange={(e) => update.mutate({ user, patch: { role: e.target.value as TeamRole } })}
                        >
                          <option value="agent">Agent</option>
                          <option value="admin">Admin</option>
                        </select>
                      ) : user.role === 'admin' ? (
                        'Admin'
                      ) : (
                        'Agent'
                      )}
                    </td>
                    <td>{active ? 'Active' : 'Deactivated'}</td>
                    <td>
                      {manageable && !self ? (
                        <button
                          type="button"
                          className={`button button-small ${active ? 'button-danger-ghost' : ''}`}
                          onClick={() => update.mutate({ user, patch: { active: !active } })}
                        >
                          {active ? `Deactivate` : `Reactivate`}
                          <span className="visually-hidden"> {user.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {manageable ? <AddAgent onAdded={() => void client.invalidateQueries({ queryKey: keys.team })} /> : null}
        <TeamsSection users={users} />
        <CannedRepliesSection />
        <MacrosSection />
        <BlockedSendersSection />
        <NotificationSettingsSection />
      </>
    );
  }

  return (
    <main className="team-page" aria-labelledby="team-title">
      <header className="page-header">
        <button type="button" className="icon-button menu-button" onClick={onMenu} aria-label="Show views">
          <Icon name="menu" size={20} />
        </button>
        <h1 id="team-title">Team</h1>
      </header>
      <div className="page-body">{body}</div>
    </main>
  );
}
