import type { ListParams } from '../api/endpoints';
import { CHANNEL_NAMES, LABEL_NAMES, type Channel, type Label, type Status, type StatusCounts } from '../api/types';
import type { Filters, ViewId } from '../app/route';

// The sidebar's views: each is a base query, and filters from the URL go on top.

export type ViewDefinition = { id: ViewId; name: string; base: ListParams };

export const STATUS_VIEWS: ViewDefinition[] = [
  { id: 'open', name: 'Open', base: { status: ['open'] } },
  { id: 'mine', name: 'Mine', base: { status: ['open'], assignee: 'me' } },
  { id: 'unassigned', name: 'Unassigned', base: { status: ['open'], assignee: 'unassigned' } },
  { id: 'pending', name: 'Pending', base: { status: ['pending'] } },
  { id: 'resolved', name: 'Resolved', base: { status: ['resolved'] } },
  { id: 'closed', name: 'Closed', base: { status: ['closed'] } },
  { id: 'all', name: 'All', base: {} },
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

export function viewDefinition(id: ViewId): ViewDefinition {
  return ALL_VIEWS.find((view) => view.id === id) ?? STATUS_VIEWS[0]!;
}

/** The API query for a view with filters on top (a filter replaces the view's own value). */
export function listParams(view: ViewId, filters: Filters, q: string): ListParams {
  const params: ListParams = { ...viewDefinition(view).base };
  if (filters.status === 'any') delete params.status;
  else if (filters.status) params.status = [filters.status];
  if (filters.channel) params.channel = filters.channel;
  if (filters.assignee !== undefined) params.assignee = filters.assignee;
  if (filters.priority) params.priority = filters.priority;
  if (filters.label) params.label = filters.label;
  if (filters.tag) params.tag = filters.tag;
  if (q) params.q = q;
  return params;
}

/** Which counter query answers a view's badge, and how to read it. */
export type CountSource = { key: string; params: ListParams; pick: (counts: StatusCounts) => number };

const openOnly = (counts: StatusCounts) => counts.open;

export function countSource(view: ViewDefinition): CountSource {
  const { status: _status, ...dimension } = view.base;
  const key = JSON.stringify(dimension);
  if (view.id === 'all') return { key, params: dimension, pick: (c) => c.open + c.pending + c.resolved + c.closed };
  const status = view.base.status?.[0] as Status | undefined;
  return { key, params: dimension, pick: status && status !== 'open' ? (c) => c[status] : openOnly };
}
