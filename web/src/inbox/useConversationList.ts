import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { endpoints, type ListParams } from '../api/endpoints';
import type { Conversation } from '../api/types';
import { keys } from './cache';

const PAGE = 50;

/** A view's conversations, page by page with the API's cursor, without repeats. */
export function useConversationList(params: ListParams) {
  const query = useInfiniteQuery({
    queryKey: keys.list(params),
    queryFn: ({ pageParam, signal }) => endpoints.conversations({ ...params, cursor: pageParam, limit: PAGE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = useMemo(() => {
    const seen = new Set<number>();
    const out: Conversation[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const c of page.items) {
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        out.push(c);
      }
    }
    return out;
  }, [query.data]);
  const first = query.data?.pages[0];
  return { ...query, items, counts: first?.counts, countsCapped: first?.countsCapped ?? false };
}

/** Highlighted excerpts for a text search, by conversation: where the words matched. */
export function useSearchSnippets(q: string) {
  return useQuery({
    queryKey: keys.snippets(q),
    queryFn: ({ signal }) => endpoints.search(q, 100, signal),
    enabled: q.length > 0,
    select: (result) => new Map(result.items.map((hit) => [hit.conversation.id, hit.snippet])),
    staleTime: 30_000,
  });
}
