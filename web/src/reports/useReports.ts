import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { endpoints, reportEndpoints } from '../api/endpoints';

// The dashboard's reads, cached by their query string: changing a filter asks again, going
// back shows the figures already fetched. The previous figures stay on screen while the next
// ones load, so the page does not jump.

export const reportKeys = {
  all: ['reports'] as const,
  of: (what: string, query: string) => ['reports', what, query] as const,
};

export function useSummary(query: string) {
  return useQuery({
    queryKey: reportKeys.of('summary', query),
    queryFn: ({ signal }) => reportEndpoints.summary(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useTimeseries(query: string) {
  return useQuery({
    queryKey: reportKeys.of('timeseries', query),
    queryFn: ({ signal }) => reportEndpoints.timeseries(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useBreakdown(by: 'agents' | 'teams' | 'channels', query: string) {
  return useQuery({
    queryKey: reportKeys.of(by, query),
    queryFn: ({ signal }) => reportEndpoints.breakdown(by, query, signal),
    placeholderData: keepPreviousData,
  });
}

/** The drill-down's keyset pages; "More" asks for the next. */
export function useDrilldown(query: string | null) {
  return useInfiniteQuery({
    queryKey: reportKeys.of('conversations', query ?? ''),
    queryFn: ({ pageParam, signal }) => reportEndpoints.conversations(pageParam ? `${query}&cursor=${encodeURIComponent(pageParam)}` : query!, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: query !== null,
  });
}

/** Now, from the counters: refreshed every 30 seconds while the page is open. */
export function useLivePanel() {
  return useQuery({ queryKey: ['reports', 'live'], queryFn: ({ signal }) => reportEndpoints.live(signal), refetchInterval: 30_000 });
}

/** The filters' lists: every team, and every team member (deactivated ones too, for past periods). */
export function useFilterLists() {
  const teams = useQuery({ queryKey: ['reports', 'teams-list'], queryFn: endpoints.teams, staleTime: 60_000, select: (r) => r.items });
  const people = useQuery({
    queryKey: ['reports', 'people-list'],
    queryFn: () => endpoints.team(true),
    staleTime: 60_000,
    select: (r) => r.items.filter((u) => u.role !== 'customer'),
  });
  return { teams: teams.data ?? [], people: people.data ?? [] };
}

/** The server refuses reports to whoever may not see them (the policies module decides). */
export const isRefused = (error: unknown) => error instanceof ApiError && (error.status === 403 || error.code === 'forbidden');
