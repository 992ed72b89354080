import { useQuery } from '@tanstack/react-query';
import { endpoints } from '../api/endpoints';
import type { User } from '../api/types';
import { keys } from './cache';

/** Everyone a conversation can be assigned to (agents and admins), by id. */
export function useAgents() {
  const query = useQuery({ queryKey: keys.agents, queryFn: endpoints.agents, staleTime: 60_000, select: (r) => r.items });
  const byId = new Map<number, User>((query.data ?? []).map((u) => [u.id, u]));
  return { agents: query.data ?? [], byId, isLoading: query.isLoading, error: query.error };
}

export const userName = (byId: Map<number, User>, id: number | null | undefined, meId?: number) =>
  id === null || id === undefined ? 'Unassigned' : id === meId ? 'You' : (byId.get(id)?.name ?? `User #${id}`);
