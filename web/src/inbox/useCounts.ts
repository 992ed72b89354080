import { useQuery } from '@tanstack/react-query';
import { endpoints } from '../api/endpoints';
import type { ViewId } from '../app/route';
import { keys } from './cache';
import { viewCount } from './views';

// The sidebar's numbers, every view's in one request (GET /api/inbox/counts). Live frames
// and the agent's own changes mark them stale (live/apply.ts), which asks again.

/** A view's count, or undefined until the counts arrive. */
export function useViewCounts(): (view: ViewId) => number | undefined {
  const { data } = useQuery({ queryKey: keys.counts, queryFn: endpoints.counts, staleTime: 30_000 });
  return (view) => (data ? viewCount(view, data) : undefined);
}

/** The signed-in agent's teams, for the sidebar (from the same counts request). */
export function useMyTeams(): { id: number; name: string; open: number }[] {
  const { data } = useQuery({ queryKey: keys.counts, queryFn: endpoints.counts, staleTime: 30_000 });
  return data?.teams ?? [];
}
