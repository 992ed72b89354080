import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { cannedReplyEndpoints } from '../api/endpoints';
import type { CannedReply, Team } from '../api/types';
import { useSession } from '../auth/session';
import { useTeams } from '../inbox/useTeams';
import { ConfirmDialog } from '../ui/Dialog';
import { Empty, Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { CannedReplyFiles } from './CannedReplyFiles';

// Canned replies on the team page: everyone's own, and the shared ones (admins make and
// change those). The list is the picker's search, so it shows the best 20 for what is typed.
// No label holds the word "name": the form adding a member has the page's "Name" field.

const searchKey = ['canned-replies', 'search'] as const;
const PLACEHOLDER_HELP =
  '{{customer.name}}, {{customer.firstName}}, {{customer.email}}, {{conversation.number}}, {{conversation.subject}}, {{agent.name}}, {{agent.firstName}}';

/** Who may use a reply: "me" (personal), "all" (the whole team) or a team's id. */
type Audience = 'me' | 'all' | `${number}`;

const audienceOf = (reply: CannedReply): Audience => (reply.ownerId !== null ? 'me' : reply.teamId === null ? 'all' : `${reply.teamId}`);

function audienceText(reply: CannedReply, teams: readonly Team[]): string {
  if (reply.ownerId !== null) return 'Only you';
  if (reply.teamId === null) return 'Whole team';
  return teams.find((t) => t.id === reply.teamId)?.name ?? `Team ${reply.teamId}`;
}

function ReplyForm({ reply, isAdmin, teams, onDone }: { reply?: CannedReply; isAdmin: boolean; teams: readonly Team[]; onDone(): void }) {
  const ids = useId();
  const client = useQueryClient();
  const [title, setTitle] = useState(reply?.name ?? '');
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [audience, setAudience] = useState<Audience>(reply ? audienceOf(reply) : 'me');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A personal reply stays personal; sharing one is making a shared copy, as an admin.
  const canChooseAudience = isAdmin && (!reply || reply.ownerId === null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const teamId = audience === 'me' || audience === 'all' ? null : Number(audience);
    try {
      if (reply) {
        await cannedReplyEndpoints.patch(reply.id, { name: title, shortcut, body, ...(reply.ownerId === null ? { teamId } : {}) });
        showToast('info', 'Canned reply saved');
      } else {
        await cannedReplyEndpoints.create({ name: title, shortcut, body, shared: audience !== 'me', teamId });
        showToast('info', `Canned reply /${shortcut.replace(/^\//, '')} added`);
        setTitle('');
        setShortcut('');
        setBody('');
      }
      void client.invalidateQueries({ queryKey: searchKey });
      onDone();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="canned-form" onSubmit={submit} aria-label={reply ? `Edit ${reply.name}` : 'New canned reply'}>
      <label htmlFor={`${ids}-title`}>Title</label>
      <input id={`${ids}-title`} required maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor={`${ids}-shortcut`}>Shortcut</label>
      <input id={`${ids}-shortcut`} required maxLength={33} value={shortcut} onChange={(e) => setShortcut(e.target.value)} />
      <label htmlFor={`${ids}-body`}>Text</label>
      <textarea id={`${ids}-body`} required rows={4} value={body} onChange={(e) => setBody(e.target.value)} aria-describedby={`${ids}-help`} />
      <p id={`${ids}-help`} className="composer-hint">
        Placeholders: {PLACEHOLDER_HELP}
      </p>
      {canChooseAudience ? (
        <>
          <label htmlFor={`${ids}-audience`}>Who can use it</label>
          <select id={`${ids}-audience`} value={audience} onChange={(e) => setAudience(e.target.value as Audience)}>
            {reply ? null : <option value="me">Only me</option>}
            <option value="all">Whole team</option>
            {teams.map((team) => (
              <option key={team.id} value={`${team.id}`}>
                {team.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="canned-form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {reply ? 'Save' : 'Add canned reply'}
        </button>
        {reply ? (
          <button type="button" className="button" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

function ReplyItem({ reply, isAdmin, teams }: { reply: CannedReply; isAdmin: boolean; teams: readonly Team[] }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = async () => {
    try {
      await cannedReplyEndpoints.remove(reply.id);
      showToast('info', `Canned reply “${reply.name}” deleted`);
      void client.invalidateQueries({ queryKey: searchKey });
    } catch (error) {
      showError(`Couldn’t delete “${reply.name}”: ${errorMessage(error)}`);
    }
  };
  if (editing) {
    return (
      <li className="card canned-item">
        <ReplyForm reply={reply} isAdmin={isAdmin} teams={teams} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="card canned-item" data-canned-id={reply.id}>
      <div className="canned-item-head">
        <strong>{reply.name}</strong> <code>/{reply.shortcut}</code> <span className="composer-hint">{audienceText(reply, teams)}</span>
      </div>
      <p className="canned-item-body">{reply.body}</p>
      <CannedReplyFiles reply={reply} />
      {reply.canManage ? (
        <div className="canned-form-actions">
          <button type="button" className="button button-small" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {reply.name}</span>
          </button>
          <button type="button" className="button button-small button-danger" onClick={() => setConfirming(true)}>
            Delete<span className="visually-hidden"> {reply.name}</span>
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Delete this canned reply?"
        text={`“${reply.name}” will no longer be offered in the composer.`}
        confirm="Delete"
        danger
        onConfirm={() => void remove()}
        onClose={() => setConfirming(false)}
      />
    </li>
  );
}

/** The Canned replies section of the team page. */
export function CannedRepliesSection() {
  const isAdmin = useSession().data?.user.role === 'admin';
  const { teams } = useTeams();
  const [query, setQuery] = useState('');
  const client = useQueryClient();
  const search = useQuery({ queryKey: [...searchKey, query.trim()], queryFn: () => cannedReplyEndpoints.search(query.trim()).then((r) => r.items) });
  let list = null;
  if (search.isLoading) list = <Loading label="Loading the canned replies…" />;
  else if (search.error) list = <Failed what="the canned replies" error={search.error} retry={() => void client.invalidateQueries({ queryKey: searchKey })} />;
  else if (!search.data?.length) list = <Empty title={query.trim() ? 'No canned reply matches' : 'No canned replies yet'} />;
  else
    list = (
      <ul className="canned-items">
        {search.data.map((reply) => (
          <ReplyItem key={`${reply.id}:${reply.updatedAt}`} reply={reply} isAdmin={isAdmin} teams={teams} />
        ))}
      </ul>
    );
  return (
    <section className="canned-section" aria-labelledby="canned-title">
      <h2 id="canned-title">Canned replies</h2>
      <p className="composer-hint">
        Type / in a reply to insert one. {isAdmin ? 'You keep the shared ones.' : 'Admins keep the shared ones; these are yours and theirs.'}
      </p>
      <input
        type="search"
        aria-label="Find a canned reply"
        placeholder="Find by shortcut, title or text"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {list}
      <div className="card canned-item">
        <h3>New canned reply</h3>
        <ReplyForm isAdmin={isAdmin} teams={teams} onDone={() => undefined} />
      </div>
    </section>
  );
}
