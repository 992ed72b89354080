import type { MouseEvent } from 'react';
import type { User } from '../api/types';
import type { InboxRoute, Route, ViewId } from '../app/route';
import { navigate, routeUrl } from '../app/route';
import type { LiveStatus } from '../live/connection';
import { Avatar } from '../ui/Avatar';
import { Icon, type IconName } from '../ui/Icon';
import { AvailabilitySwitch } from './AvailabilitySwitch';
import { NotificationBell } from './NotificationBell';
import { SavedViews } from './SavedViews';
import { useMyTeams, useViewCounts } from './useCounts';
import { CHANNEL_VIEWS, LABEL_VIEWS, STATUS_VIEWS, teamView, type ViewDefinition } from './views';

const VIEW_ICONS: Partial<Record<ViewId, IconName>> = {
  mine: 'user',
  mentions: 'chatbot',
  participating: 'users',
  unassigned: 'users',
  'channel:ticket': 'ticket',
  'channel:chatbot': 'chatbot',
  'channel:email': 'email',
};

const formatCount = (n: number | undefined) => (n === undefined ? '' : n >= 1000 ? `${Math.floor(n / 1000)}k` : String(n));

/** A plain left click navigates in the page; other clicks keep the browser's meaning. */
export function follow(event: MouseEvent, route: Route, after?: () => void) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(route);
  after?.();
}

function ViewLink({
  view,
  active,
  count,
  sort,
  onNavigate,
}: {
  view: ViewDefinition;
  active: boolean;
  count: number | undefined;
  sort: InboxRoute['sort'];
  onNavigate(): void;
}) {
  // The agent's chosen order goes along to the next view; filters and search do not.
  const target: InboxRoute = { page: 'inbox', view: view.id, filters: {}, q: '', sort, conversationId: null };
  const icon = VIEW_ICONS[view.id] ?? (view.id.startsWith('label:') ? 'tag' : view.id.startsWith('team:') ? 'users' : 'inbox');
  return (
    <li>
      <a
        href={routeUrl(target)}
        className="nav-link"
        aria-current={active ? 'page' : undefined}
        onClick={(e) => follow(e, target, onNavigate)}
        data-view={view.id}
      >
        <Icon name={icon} />
        <span className="nav-name">{view.name}</span>
        {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: Chromium puts this label in the link's name ("Open 4 conversations"), not the bare number. */}
        <span className="nav-count" aria-label={count === undefined ? undefined : `${count} conversations`}>
          {formatCount(count)}
        </span>
      </a>
    </li>
  );
}

export function Sidebar({ route, me, live, onNavigate, onSignOut }: { route: Route; me: User; live: LiveStatus; onNavigate(): void; onSignOut(): void }) {
  const countOf = useViewCounts();
  const myTeams = useMyTeams();
  const current = route.page === 'inbox' ? route.view : null;
  const sort = route.page === 'inbox' ? route.sort : undefined;
  const group = (title: string, views: ViewDefinition[]) => (
    <section className="nav-group" aria-label={title}>
      <h2 className="nav-title">{title}</h2>
      <ul>
        {views.map((view) => (
          <ViewLink key={view.id} view={view} active={current === view.id} count={countOf(view.id)} sort={sort} onNavigate={onNavigate} />
        ))}
      </ul>
    </section>
  );
  const team = { page: 'team' } as const;
  const knowledgeBase = { page: 'kb' } as const;
  return (
    <nav className="sidebar" aria-label="Inbox views">
      <div className="brand">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <span>Onethread</span>
        <span
          className={`live-dot live-${live}`}
          role="status"
          aria-label={live === 'live' ? 'Live updates on' : live === 'connecting' ? 'Connecting' : 'Offline, reconnecting'}
          title={live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline — reconnecting'}
        />
        <NotificationBell route={route} onNavigate={onNavigate} />
      </div>
      {group('Inbox', STATUS_VIEWS)}
      {group('Channels', CHANNEL_VIEWS)}
      {group('Labels', LABEL_VIEWS)}
      {myTeams.length > 0
        ? group(
            'Teams',
            myTeams.map((t) => teamView(t.id, t.name)),
          )
        : null}
      <SavedViews route={route} onNavigate={onNavigate} />
      <div className="sidebar-footer">
        <a href="/kb" className="nav-link" aria-current={route.page === 'kb' ? 'page' : undefined} onClick={(e) => follow(e, knowledgeBase, onNavigate)}>
          <Icon name="inbox" />
          <span className="nav-name">Knowledge base</span>
        </a>
        {/* Everyone's: agents keep their own canned replies there; the rest is the admins'. */}
        <a href="/team" className="nav-link" aria-current={route.page === 'team' ? 'page' : undefined} onClick={(e) => follow(e, team, onNavigate)}>
          <Icon name="users" />
          <span className="nav-name">Team</span>
        </a>
        {/* Reports are the admins' (the API refuses them to others, policies canSeeReports). */}
        {me.role === 'admin' ? (
          <a
            href="/reports"
            className="nav-link"
            aria-current={route.page === 'reports' ? 'page' : undefined}
            onClick={(e) => follow(e, { page: 'reports', search: '' }, onNavigate)}
          >
            <Icon name="chart" />
            <span className="nav-name">Reports</span>
          </a>
        ) : null}
        <AvailabilitySwitch me={me} />
        <div className="me">
          <a
            href="/profile"
            className="me-link"
            aria-current={route.page === 'profile' ? 'page' : undefined}
            title={`Your profile (${me.email})`}
            onClick={(e) => follow(e, { page: 'profile' }, onNavigate)}
          >
            <Avatar user={me} />
            <span className="me-name">{me.name}</span>
            <span className="visually-hidden">, your profile</span>
          </a>
          <button type="button" className="button button-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    </nav>
  );
}

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('') || '?';
