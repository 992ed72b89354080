import { useSyncExternalStore } from 'react';
import {
  CHANNELS,
  type Channel,
  CONVERSATION_TYPES,
  type ConversationType,
  LABELS,
  type Label,
  PRIORITIES,
  type Priority,
  SORTS,
  type Sort,
  STATUSES,
  type Status,
} from '../api/types';

// Where the app is, kept in the URL so a link or a reload lands in the same place:
//   /inbox/<view>[?status=&channel=&assignee=&team=&priority=&label=&tag=&handler=&type=&q=&sort=&conversation=]
//   /team
//   /kb
//   /profile
//   /reports[?range=&from=&to=&tz=&businessHours=&team=&agent=&channel=&groupBy=&drill=&drillBy=]   (web/src/reports/query.ts)
//   /forgot-password, /reset-password?token=   (signed out too: a mailed link lands here)
// View paths: open, mine, mentions, participating, unassigned, pending, resolved, closed, all, bot,
// channel/<c>, label/<l>, team/<id>, view/<id>. A saved view's path names it (the sidebar marks
// it, the list is titled with it) while its filter is spelt out in the query, so its link
// lists the same conversations for anyone, even one who cannot see the view.

export type ViewId =
  | 'open'
  | 'mine'
  | 'mentions'
  | 'participating'
  | 'unassigned'
  | 'pending'
  | 'resolved'
  | 'closed'
  | 'all'
  | 'bot'
  | 'snoozed'
  | 'spam'
  | `channel:${Channel}`
  | `label:${Label}`
  | `team:${number}`
  | `view:${number}`;

/** Filters chosen on top of a view; `status: 'any'` lifts the view's own status. */
export type Filters = {
  status?: Status | 'any';
  /** Several statuses at once (`status=open,pending`), as a saved view may hold; `status` wins. */
  statuses?: Status[];
  channel?: Channel;
  assignee?: 'me' | 'unassigned' | number;
  team?: number | 'none';
  priority?: Priority;
  label?: Label;
  tag?: string;
  handler?: 'team' | 'bot';
  type?: ConversationType;
};

/** `sort` is absent for the default order, last activity. */
export type InboxRoute = { page: 'inbox'; view: ViewId; filters: Filters; q: string; sort?: Exclude<Sort, 'lastMessageAt'>; conversationId: number | null };
export type Route = InboxRoute | ReportsRoute | { page: 'team' } | { page: 'kb' } | { page: 'profile' } | { page: 'forgot' } | { page: 'reset'; token: string };
/** Reports (admins): its own query (period, zone, filters) is the reports module's, kept as the URL's `?…`. */
export type ReportsRoute = { page: 'reports'; search: string };

const SIMPLE_VIEWS = ['open', 'mine', 'mentions', 'participating', 'unassigned', 'pending', 'resolved', 'closed', 'all', 'bot', 'snoozed', 'spam'] as const;
const HANDLERS = ['team', 'bot'] as const;
const ID = /^\d{1,15}$/;

const oneOf = <T extends string>(values: readonly T[], value: string | null | undefined): T | undefined =>
  values.includes(value as T) ? (value as T) : undefined;

function parseView(segments: string[]): ViewId {
  const [first, second] = segments;
  const simple = oneOf(SIMPLE_VIEWS, first);
  if (simple) return simple;
  if (first === 'channel' && oneOf(CHANNELS, second)) return `channel:${second as Channel}`;
  if (first === 'label' && oneOf(LABELS, second)) return `label:${second as Label}`;
  if (first === 'team' && second && ID.test(second)) return `team:${Number(second)}`;
  if (first === 'view' && second && ID.test(second)) return `view:${Number(second)}`;
  return 'open';
}

export function parseRoute(pathname: string, search: string): Route {
  const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments[0] === 'team') return { page: 'team' };
  if (segments[0] === 'kb') return { page: 'kb' };
  if (segments[0] === 'profile') return { page: 'profile' };
  if (segments[0] === 'reports') return { page: 'reports', search };
  if (segments[0] === 'forgot-password') return { page: 'forgot' };
  const query = new URLSearchParams(search);
  if (segments[0] === 'reset-password') return { page: 'reset', token: query.get('token') ?? '' };
  const filters: Filters = {};
  const status = query.get('status');
  if (status === 'any') filters.status = 'any';
  else if (oneOf(STATUSES, status)) filters.status = status as Status;
  else if (status?.includes(',')) {
    const statuses = status.split(',').filter((s): s is Status => oneOf(STATUSES, s) !== undefined);
    if (statuses.length) filters.statuses = [...new Set(statuses)];
  }
  const channel = oneOf(CHANNELS, query.get('channel'));
  if (channel) filters.channel = channel;
  const assignee = query.get('assignee');
  if (assignee === 'me' || assignee === 'unassigned') filters.assignee = assignee;
  else if (assignee && /^\d+$/.test(assignee)) filters.assignee = Number(assignee);
  const team = query.get('team');
  if (team === 'none') filters.team = 'none';
  else if (team && ID.test(team)) filters.team = Number(team);
  const priority = oneOf(PRIORITIES, query.get('priority'));
  if (priority) filters.priority = priority;
  const label = oneOf(LABELS, query.get('label'));
  if (label) filters.label = label;
  const tag = query.get('tag')?.trim();
  if (tag) filters.tag = tag;
  const handler = oneOf(HANDLERS, query.get('handler'));
  if (handler) filters.handler = handler;
  const type = oneOf(CONVERSATION_TYPES, query.get('type'));
  if (type) filters.type = type;
  const conversation = query.get('conversation');
  const sort = oneOf(SORTS, query.get('sort'));
  return {
    page: 'inbox',
    view: segments[0] === 'inbox' ? parseView(segments.slice(1)) : 'open',
    filters,
    q: query.get('q')?.trim() ?? '',
    ...(sort && sort !== 'lastMessageAt' ? { sort } : {}),
    conversationId: conversation && /^\d+$/.test(conversation) ? Number(conversation) : null,
  };
}

export function viewPath(view: ViewId): string {
  const [kind, value] = view.split(':');
  return value ? `/inbox/${kind}/${value}` : `/inbox/${kind}`;
}

export function routeUrl(route: Route): string {
  if (route.page === 'team') return '/team';
  if (route.page === 'kb') return '/kb';
  if (route.page === 'profile') return '/profile';
  if (route.page === 'reports') return `/reports${route.search}`;
  if (route.page === 'forgot') return '/forgot-password';
  if (route.page === 'reset') return `/reset-password?token=${encodeURIComponent(route.token)}`;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(route.filters)) {
    if (key === 'statuses') {
      if (!route.filters.status && route.filters.statuses?.length) query.set('status', route.filters.statuses.join(','));
    } else if (value !== undefined && value !== '') query.set(key, String(value));
  }
  if (route.q) query.set('q', route.q);
  if (route.sort) query.set('sort', route.sort);
  if (route.conversationId !== null) query.set('conversation', String(route.conversationId));
  const text = query.toString();
  return viewPath(route.view) + (text ? `?${text}` : '');
}

const listeners = new Set<() => void>();
let current = parseRoute(location.pathname, location.search);
let currentUrl = location.pathname + location.search;

function refresh() {
  const url = location.pathname + location.search;
  if (url === currentUrl) return;
  currentUrl = url;
  current = parseRoute(location.pathname, location.search);
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', refresh);

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const url = routeUrl(route);
  if (url === currentUrl) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  refresh();
}

export function currentRoute(): Route {
  return current;
}

export function useRoute(): Route {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

/** The inbox route, or the default one when another page is showing. */
export function inboxRoute(route: Route): InboxRoute {
  return route.page === 'inbox' ? route : { page: 'inbox', view: 'open', filters: {}, q: '', conversationId: null };
}
