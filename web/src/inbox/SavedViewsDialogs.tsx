import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ListParams } from '../api/endpoints';
import { endpoints } from '../api/endpoints';
import type { SavedView } from '../api/types';
import { currentRoute, navigate } from '../app/route';
import { Dialog, DialogFormActions } from '../ui/Dialog';
import { useSubmit } from '../ui/useSubmit';
import { savedViewsKey } from './useSavedViews';
import { savedFilter, savedViewRoute } from './views';

// Saving the list on screen as a view, and renaming, re-sharing or deleting one. Who may
// change a view is the server's to say (its owner; a shared one, its team and admins): a
// refusal is shown in the dialog as it answered.

/** The same bound as the server's (src/limits.ts MAX_VIEW_NAME). */
const MAX_NAME = 100;

type TeamOption = { id: number; name: string };

function ShareWith({ teams, value, onChange }: { teams: TeamOption[]; value: string; onChange(value: string): void }) {
  return (
    <label className="field">
      <span>Who sees it</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Only me</option>
        {teams.map((t) => (
          <option key={t.id} value={String(t.id)}>
            Shared with {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function NameField({ value, onChange }: { value: string; onChange(value: string): void }) {
  return (
    <label className="field">
      <span>Name</span>
      <input type="text" required value={value} onChange={(e) => onChange(e.target.value)} maxLength={MAX_NAME} autoComplete="off" autoFocus />
    </label>
  );
}

export function SaveViewDialog(props: { open: boolean; filter: ListParams; teams: TeamOption[]; onSaved(): void; onClose(): void }) {
  return (
    <Dialog open={props.open} title="Save view" onClose={props.onClose}>
      {props.open ? <SaveViewForm {...props} /> : null}
    </Dialog>
  );
}

function SaveViewForm({ filter, teams, onSaved, onClose }: { filter: ListParams; teams: TeamOption[]; onSaved(): void; onClose(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const { view } = await endpoints.createView({ name: name.trim(), filter: savedFilter(filter), teamId: team ? Number(team) : null });
    client.setQueryData<{ items: SavedView[] }>(savedViewsKey, (old) => (old ? { items: [...old.items, view] } : old));
    void client.invalidateQueries({ queryKey: savedViewsKey });
    onClose();
    navigate(savedViewRoute(view));
    onSaved();
  });
  return (
    <form className="saved-view-form" onSubmit={(e) => void submit(e)} aria-label="Save view">
      <p className="hint">The list as it is now — its view, filters, search and order — under a name in the sidebar.</p>
      <NameField value={name} onChange={setName} />
      <ShareWith teams={teams} value={team} onChange={setTeam} />
      <DialogFormActions error={error} busy={busy} submit="Save view" busySubmit="Saving…" onCancel={onClose} />
    </form>
  );
}

export function EditViewDialog({ view, teams, onClose }: { view: SavedView | null; teams: TeamOption[]; onClose(): void }) {
  return (
    <Dialog open={view !== null} title="Edit view" onClose={onClose}>
      {view ? <EditViewForm key={view.id} view={view} teams={teams} onClose={onClose} /> : null}
    </Dialog>
  );
}

function EditViewForm({ view, teams, onClose }: { view: SavedView; teams: TeamOption[]; onClose(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState(view.name);
  const [team, setTeam] = useState(view.teamId === null ? '' : String(view.teamId));
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // A view shared with a team the agent has left still shows as what it is.
  const choices = view.teamId !== null && !teams.some((t) => t.id === view.teamId) ? [...teams, { id: view.teamId, name: `team #${view.teamId}` }] : teams;
  const refresh = () => client.invalidateQueries({ queryKey: savedViewsKey });
  const save = useSubmit(async () => {
    const teamId = team ? Number(team) : null;
    try {
      await endpoints.patchView(view.id, {
        ...(name.trim() !== view.name ? { name: name.trim() } : {}),
        ...(teamId !== view.teamId ? { teamId } : {}),
      });
    } catch (refused) {
      // The sidebar may show a view that is no longer this agent's (they left its team).
      void refresh();
      throw refused;
    }
    await refresh();
    onClose();
  });
  const remove = async () => {
    setDeleting(true);
    save.setError(null);
    try {
      await endpoints.deleteView(view.id);
      await refresh();
      onClose();
      const route = currentRoute();
      if (route.page === 'inbox' && route.view === `view:${view.id}`) navigate({ page: 'inbox', view: 'open', filters: {}, q: '', conversationId: null });
    } catch (caught) {
      void refresh();
      save.setError(caught instanceof Error ? caught.message : String(caught));
      setConfirming(false);
    } finally {
      setDeleting(false);
    }
  };
  const unchanged = name.trim() === view.name && (team ? Number(team) : null) === view.teamId;
  return (
    <form
      className="saved-view-form"
      onSubmit={(e) => {
        if (!unchanged) return void save.submit(e);
        e.preventDefault();
        onClose();
      }}
      aria-label="Edit view"
    >
      <NameField value={name} onChange={setName} />
      <ShareWith teams={choices} value={team} onChange={setTeam} />
      {confirming ? (
        <div className="saved-view-delete" role="alert">
          <p>Delete “{view.name}” for everyone who sees it? Its conversations stay as they are.</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
            <button type="button" className="button button-danger" disabled={deleting} onClick={() => void remove()}>
              {deleting ? 'Deleting…' : 'Delete view'}
            </button>
          </div>
        </div>
      ) : null}
      <DialogFormActions error={save.error} busy={save.busy} submit="Save" busySubmit="Saving…" onCancel={onClose}>
        <button type="button" className="button button-danger-ghost saved-view-delete-button" onClick={() => setConfirming(true)} disabled={confirming}>
          Delete…
        </button>
      </DialogFormActions>
    </form>
  );
}
