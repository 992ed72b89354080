import { useQueries } from '@tanstack/react-query';
import { endpoints } from '../api/endpoints';
import type { ConversationPage } from '../api/types';
import { keys } from './cache';
import { CHANNEL_VIEWS, countSource, LABEL_VIEWS, STATUS_VIEWS, type ViewDefinition } from './views';

// The sidebar's numbers. Each view's dimension (none, assignee, channel, label) is one
// list request of one row: its `counts` are the server's counter rows for every status,
// so nine small reads cover every badge. Live frames mark them stale (live/apply.ts).

const VIEWS = [...STATUS_VIEWS, ...CHANNEL_VIEWS, ...LABEL_VIEWS];
const SOURCES = VIEWS.map(countSource);
const UNIQUE = [...new Map(SOURCES.map((s) => [s.key, s])).values()];

export function useViewCounts(): Map<string, number | undefined> {
  const results = useQueries({
    queries: UNIQUE.map((source) => ({
      queryKey: keys.count(source.key),
      queryFn: () => endpoints.conversations({ ...source.params, limit: 1 }),
      select: (page: ConversationPage) => page.counts,
      staleTime: 30_000,
    })),
  });
  const byKey = new Map(UNIQUE.map((source, i) => [source.key, results[i]?.data]));
  return new Map(
    VIEWS.map((view: ViewDefinition, i) => {
      const counts = byKey.get(SOURCES[i]!.key);
      return [view.id, counts ? SOURCES[i]!.pick(counts) : undefined];
    }),
  );
}
