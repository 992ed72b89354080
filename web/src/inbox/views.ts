import { type ListParams, listQueryString } from '../api/endpoints';
import { CHANNEL_NAMES, type Channel, type InboxCounts, LABEL_NAMES, type Label, type SavedView, type Sort, STATUSES, type Status } from '../api/types';
import { type Filters, type InboxRoute, parseRoute, type ViewId } from '../app/route';

// The sidebar's views: each is a base query, and filters from the URL go on top.

export type ViewDefinition = { id: ViewId; name: string; base: ListParams };

export const STATUS_VIEWS: ViewDefinition[] = [
  { id: 'open', name: 'Open', base: { status: ['open'] } },
  { id: 'mine', name: 'Mine', base: { status: ['open'], assignee: 'me' } },
  // Where the agent was mentioned (newest mention first), and what they follow: any status.
  { id: 'mentions', name: 'Mentions', base: { mentioned: 'me' } },
  { id: 'participating', name: 'Participating', base: { participating: 'me' } },
  { id: 'unassigned', name: 'Unassigned', base: { status: ['open'], assignee: 'unassigned' } },
  // Waiting on the customer: a chat the bot still has waits on the bot, and is the Bot view's.
  { id: 'pending', name: 'Pending', base: { status: ['pending'], handler: 'team' } },
  { id: 'resolved', name: 'Resolved', base: { status: ['resolved'] } },
  { id: 'closed', name: 'Closed', base: { status: ['closed'] } },
  { id: 'all', name: 'All', base: {} },
  // Chats the bot is still answering (server tag `bot`): out of Open until a person is asked for.
  { id: 'bot', name: 'Bot', base: { status: ['pending'], tag: 'bot' } },
  // Waiting for their wake time or the customer (pending meanwhile); and what was marked as spam.
  { id: 'snoozed', name: 'Snoozed', base: { state: 'snoozed' } },
  { id: 'spam', name: 'Spam', base: { state: 'spam' } },
];

export const CHANNEL_VIEWS: ViewDefinition[] = (Object.keys(CHANNEL_NAMES) as Channel[]).map((channel) => ({
  id: `channel:${channel}`,
  name: CHANNEL_NAMES[channel],
  base: { status: ['open'], channel },
}));

export const LABEL_VIEWS: ViewDefinition[] = (Object.keys(LABEL_NAMES) as Label[]).map((label) => ({
  id: `label:${label}`,
  name: LABEL_NAMES[label],
  base: { status: ['open'], label },
}));

const ALL_VIEWS = [...STATUS_VIEWS, ...CHANNEL_VIEWS, ...LABEL_VIEWS];

/** A team's view: its open conversations. Teams come and go, so theirs are made, not listed. */
export function teamView(teamId: number, name = 'Team'): ViewDefinition {
  return { id: `team:${teamId}`, name, base: { status: ['open'], team: teamId } };
}

export function viewDefinition(id: ViewId): ViewDefinition {
  if (id.startsWith('team:')) return teamView(Number(id.slice('team:'.length)));
  // A saved view's filter is in the URL's query (route.ts), on top of every conversation.
  if (id.startsWith('view:')) return { id, name: 'Saved view', base: {} };
  return ALL_VIEWS.find((view) => view.id === id) ?? STATUS_VIEWS[0]!;
}

/** The API query for a view with filters on top (a filter replaces the view's own value). */
export function listParams(view: ViewId, filters: Filters, q: string, sort: Sort | undefined): ListParams {
  const params: ListParams = { ...viewDefinition(view).base };
  if (filters.status === 'any') delete params.status;
  else if (filters.status) params.status = [filters.status];
  else if (filters.statuses?.length) params.status = filters.statuses;
  // The server lists Mentions and Participating by status alone and refuses anything more.
  if (params.mentioned || params.participating) return params;
  if (filters.channel) params.channel = filters.channel;
  if (filters.assignee !== undefined) params.assignee = filters.assignee;
  if (filters.team !== undefined) params.team = filters.team;
  if (filters.priority) params.priority = filters.priority;
  if (filters.label) params.label = filters.label;
  if (filters.tag) params.tag = filters.tag;
  if (filters.handler) params.handler = filters.handler;
  if (filters.type) params.type = filters.type;
  if (q) params.q = q;
  if (sort) params.sort = sort;
  return params;
}

/** A view's badge, read from the sidebar's counts; none for the views those do not count. */
export function viewCount(view: ViewId, counts: InboxCounts): number | undefined {
  switch (view) {
    case 'open':
    case 'resolved':
    case 'closed':
      return counts.statuses[view];
    case 'pending':
      // As the list counts it: every pending conversation but the bot's (two counter rows).
      return counts.statuses.pending - counts.bot;
    case 'mine':
    case 'unassigned':
    case 'all':
      return counts[view];
    case 'bot':
      return counts.bot;
    case 'snoozed':
    case 'spam':
      return counts[view];
    case 'mentions':
    case 'participating':
      return undefined;
  }
  if (view.startsWith('view:')) return undefined;
  const { channel, label, team } = viewDefinition(view).base;
  if (typeof team === 'number') return counts.teams.find((t) => t.id === team)?.open ?? 0;
  return channel ? counts.channels[channel] : label ? counts.labels[label] : 0;
}

/** Whether the list on screen can be saved as a view: not Mentions or Participating, which are per agent. */
export const canSaveView = (view: ViewId) => view !== 'mentions' && view !== 'participating';

/** The list's query as a saved view keeps it: the URL's parameters, without paging. */
export function savedFilter(params: ListParams): Record<string, string> {
  const { cursor: _cursor, limit: _limit, ...filter } = params;
  return Object.fromEntries(new URLSearchParams(listQueryString(filter)));
}

/** Where a saved view lists: its path, and its filter spelt out in the query. */
export function savedViewRoute(view: Pick<SavedView, 'id' | 'filter'>): InboxRoute {
  const route = parseRoute(`/inbox/view/${view.id}`, `?${new URLSearchParams(view.filter)}`);
  return route.page === 'inbox' ? route : { page: 'inbox', view: `view:${view.id}`, filters: {}, q: '', conversationId: null };
}

/** A saved view's badge: its conversations in the statuses it lists (all when it names none). */
export function savedViewCount(view: Pick<SavedView, 'filter' | 'counts' | 'countsCapped'>): { n: number; capped: boolean } {
  const named = (view.filter.status ?? '').split(',').filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  const statuses: readonly Status[] = named.length ? named : STATUSES;
  let n = 0;
  for (const status of statuses) n += view.counts[status] ?? 0;
  return { n, capped: view.countsCapped };
}
