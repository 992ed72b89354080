import { useState } from 'react';
import type { SavedView } from '../api/types';
import { type InboxRoute, type Route, routeUrl } from '../app/route';
import { Icon } from '../ui/Icon';
import { EditViewDialog, SaveViewDialog } from './SavedViewsDialogs';
import { follow } from './Sidebar';
import { useMyTeams } from './useCounts';
import { useSavedViews } from './useSavedViews';
import { canSaveView, listParams, savedViewCount, savedViewRoute } from './views';

// The sidebar's saved views, below the built-in ones: each links to its filter spelt out in
// the URL (views.ts savedViewRoute), so the link can be shared. "Save view" keeps the list
// on screen; a view's own button renames, re-shares or deletes it (the server decides who may).

const formatCount = (n: number, capped: boolean) => (n >= 1000 ? `${Math.floor(n / 1000)}k` : String(n)) + (capped ? '+' : '');

export function SavedViews({ route, onNavigate }: { route: Route; onNavigate(): void }) {
  const { views } = useSavedViews();
  const teams = useMyTeams();
  const [saving, setSaving] = useState(false);
  const [editing, setEditing] = useState<SavedView | null>(null);
  const current = route.page === 'inbox' ? route : null;
  const savable = current !== null && canSaveView(current.view);
  if (views.length === 0 && !savable) return null;
  const teamName = (id: number | null) => (id === null ? null : (teams.find((t) => t.id === id)?.name ?? 'a team'));
  return (
    <section className="nav-group saved-views" aria-labelledby="saved-views-title">
      <div className="nav-title-row">
        <h2 className="nav-title" id="saved-views-title">
          Saved views
        </h2>
        {savable ? (
          <button type="button" className="nav-action" onClick={() => setSaving(true)} title="Save the list on screen, with its filters and order, as a view">
            Save view
          </button>
        ) : null}
      </div>
      {views.length ? (
        <ul>
          {views.map((view) => (
            <SavedViewLink
              key={view.id}
              view={view}
              sharedWith={teamName(view.teamId)}
              active={current?.view === `view:${view.id}`}
              onNavigate={onNavigate}
              onEdit={() => setEditing(view)}
            />
          ))}
        </ul>
      ) : null}
      {current ? (
        <SaveViewDialog
          open={saving}
          filter={listParams(current.view, current.filters, current.q, current.sort)}
          teams={teams}
          onSaved={onNavigate}
          onClose={() => setSaving(false)}
        />
      ) : null}
      <EditViewDialog view={editing} teams={teams} onClose={() => setEditing(null)} />
    </section>
  );
}

function SavedViewLink(props: { view: SavedView; sharedWith: string | null; active: boolean; onNavigate(): void; onEdit(): void }) {
  const { view, sharedWith, active } = props;
  const target: InboxRoute = savedViewRoute(view);
  const { n, capped } = savedViewCount(view);
  return (
    <li className="saved-view">
      <a
        href={routeUrl(target)}
        className="nav-link"
        aria-current={active ? 'page' : undefined}
        onClick={(e) => follow(e, target, props.onNavigate)}
        data-view={`view:${view.id}`}
        title={sharedWith ? `Shared with ${sharedWith}` : 'Only you see this view'}
      >
        <Icon name={sharedWith ? 'users' : 'search'} />
        <span className="nav-name">{view.name}</span>
        {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: as the built-in views' counts (Sidebar.tsx): Chromium puts this label in the link's name. */}
        <span className="nav-count" aria-label={`${n}${capped ? ' or more' : ''} conversations`}>
          {formatCount(n, capped)}
        </span>
      </a>
      <button type="button" className="nav-edit" aria-label={`Edit view ${view.name}`} title="Rename, share or delete" onClick={props.onEdit}>
        <svg className="icon" width={14} height={14} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
          <circle cx="5" cy="12" r="2" />
          <circle cx="12" cy="12" r="2" />
          <circle cx="19" cy="12" r="2" />
        </svg>
      </button>
    </li>
  );
}
