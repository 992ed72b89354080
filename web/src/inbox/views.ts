import type { ListParams } from '../api/endpoints';
import { CHANNEL_NAMES, type Channel, type InboxCounts, LABEL_NAMES, type Label, type Sort } from '../api/types';
import type { Filters, ViewId } from '../app/route';

// The sidebar's views: each is a base query, and filters from the URL go on top.

export type ViewDefinition = { id: ViewId; name: string; base: ListParams };

export const STATUS_VIEWS: ViewDefinition[] = [
  { id: 'open', name: 'Open', base: { status: ['open'] } },
  { id: 'mine', name: 'Mine', base: { status: ['open'], assignee: 'me' } },
  { id: 'unassigned', name: 'Unassigned', base: { status: ['open'], assignee: 'unassigned' } },
  // Waiting on the customer: a chat the bot still has waits on the bot, and is the Bot view's.
  { id: 'pending', name: 'Pending', base: { status: ['pending'], handler: 'team' } },
  { id: 'resolved', name: 'Resolved', base: { status: ['resolved'] } },
  { id: 'closed', name: 'Closed', base: { status: ['closed'] } },
  { id: 'all', name: 'All', base: {} },
  // Chats the bot is still answering (server tag `bot`): out of Open until a person is asked for.
  { id: 'bot', name: 'Bot', base: { status: ['pending'], tag: 'bot' } },
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
  return ALL_VIEWS.find((view) => view.id === id) ?? STATUS_VIEWS[0]!;
}

/** The API query for a view with filters on top (a filter replaces the view's own value). */
export function listParams(view: ViewId, filters: Filters, q: string, sort: Sort | undefined): ListParams {
  const params: ListParams = { ...viewDefinition(view).base };
  if (filters.status === 'any') delete params.status;
  else if (filters.status) params.status = [filters.status];
  if (filters.channel) params.channel = filters.channel;
  if (filters.assignee !== undefined) params.assignee = filters.assignee;
  if (filters.priority) params.priority = filters.priority;
  if (filters.label) params.label = filters.label;
  if (filters.tag) params.tag = filters.tag;
  if (q) params.q = q;
  if (sort) params.sort = sort;
  return params;
}

/** A view's badge, read from the sidebar's counts. */
export function viewCount(view: ViewId, counts: InboxCounts): number {
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
  }
  const { channel, label, team } = viewDefinition(view).base;
  if (typeof team === 'number') return counts.teams.find((t) => t.id === team)?.open ?? 0;
  return channel ? counts.channels[channel] : label ? counts.labels[label] : 0;
}
