import { useQuery } from '@tanstack/react-query';
import { endpoints } from '../api/endpoints';
import type { ViewId } from '../app/route';
import { keys } from './cache';

// The agent's saved views and those shared with their teams, with their counts
// (GET /api/views). Kept under the counts' key: whatever refreshes the sidebar's counts
// (a live frame, the agent's own change) refreshes these too.

export const savedViewsKey = [...keys.counts, 'views'] as const;

export function useSavedViews() {
  const query = useQuery({ queryKey: savedViewsKey, queryFn: endpoints.views, staleTime: 30_000, select: (r) => r.items });
  return { views: query.data ?? [], isError: query.isError };
}

/** The name of the saved view a route shows, once the views are in; undefined for other views. */
export function useSavedViewName(view: ViewId): string | undefined {
  const { views } = useSavedViews();
  if (!view.startsWith('view:')) return undefined;
  const id = Number(view.slice('view:'.length));
  return views.find((v) => v.id === id)?.name;
}
