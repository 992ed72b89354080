import { useQuery, useQueryClient } from '@tanstack/react-query';
import { EVENT_PAGE, endpoints } from '../api/endpoints';
import type { ConversationEvent } from '../api/types';
import { keys } from '../inbox/cache';

/**
 * A conversation's whole audit trail, oldest first. The trail only grows, so a refresh
 * (a live frame asks for one) reads just the events after the newest one held: a long chat
 * costs one small request per change, and its latest events are never cut off by a page.
 */
export function useEvents(conversationId: number) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.events(conversationId),
    queryFn: async () => {
      const held = client.getQueryData<ConversationEvent[]>(keys.events(conversationId)) ?? [];
      const items = [...held];
      for (;;) {
        const page = (await endpoints.events(conversationId, items.at(-1)?.id)).items;
        items.push(...page);
        if (page.length < EVENT_PAGE) return items;
      }
    },
  });
}
