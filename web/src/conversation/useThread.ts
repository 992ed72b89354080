import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { endpoints } from '../api/endpoints';
import { keys } from '../inbox/cache';
import type { ThreadMessage } from './Thread';

/**
 * A conversation's messages, oldest first: the newest page at once, older pages when the
 * agent asks (the API's cursor walking back). Live messages join the newest page
 * (inbox/cache.ts appendMessage).
 */
export function useThread(conversationId: number) {
  const query = useInfiniteQuery({
    queryKey: keys.messages(conversationId),
    queryFn: ({ pageParam }) => endpoints.messages(conversationId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const messages = useMemo(
    () => (query.data?.pages ?? []).flatMap((page) => page.items as ThreadMessage[]).sort((a, b) => a.sentAt - b.sentAt || a.id - b.id),
    [query.data],
  );
  return {
    query,
    messages,
    older: { has: query.hasNextPage, loading: query.isFetchingNextPage, failed: query.isFetchNextPageError, load: () => void query.fetchNextPage() },
  };
}
