import { useQuery } from '@tanstack/react-query';
import { endpoints } from '../api/endpoints';
import { keys } from './cache';

/** Every team, with its members (GET /api/teams): a conversation's team select, the settings. */
export function useTeams() {
  const query = useQuery({ queryKey: keys.teams, queryFn: endpoints.teams, staleTime: 60_000, select: (r) => r.items });
  return { teams: query.data ?? [], isLoading: query.isLoading, error: query.error };
}
