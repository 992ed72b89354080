import { useVirtualizer } from '@tanstack/react-virtual';
import { type MouseEvent, type Ref, useEffect, useImperativeHandle, useMemo, useRef } from 'react';
import type { Conversation, User } from '../api/types';
import { inboxRoute, useRoute } from '../app/route';
import { useShortcut } from '../ui/keyboard';
import { BulkBar } from './BulkBar';
import { ConversationRow } from './ConversationRow';
import { isUnread } from './cache';
import { useConversationList } from './useConversationList';
import { matchingCount, useSelection } from './useSelection';
import { listParams } from './views';

// The list is virtualised: only the rows in view (and a few around) are in the DOM, so
// tens of thousands of loaded conversations scroll as smoothly as fifty. Rows have one
// fixed height, which keeps the arithmetic exact and scrolling free of jumps.

export const ROW_HEIGHT = 104;
const LOAD_AHEAD = 15;

export type ListHandle = { scrollToIndex(index: number): void; focusRow(id: number): void };

type Props = {
  items: Conversation[];
  activeId: number | null;
  selectedId: number | null;
  agents: Map<number, User>;
  meId: number;
  snippets: Map<number, string> | undefined;
  words: string[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  hrefFor(conversation: Conversation): string;
  onOpen(event: MouseEvent, conversation: Conversation): void;
  onFocusRow(id: number): void;
  label: string;
  handle: Ref<ListHandle>;
};

export function ConversationList(props: Props) {
  const { items, hasMore, loadingMore, loadMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => items[index]?.id ?? index,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? -1;
  // Bulk actions: the list's own query (the same cache entry as the page's, no new request)
  // gives "all N matching this view"; the selection and the bar are their own files.
  const route = inboxRoute(useRoute());
  const params = useMemo(() => listParams(route.view, route.filters, route.q, route.sort), [route.view, route.filters, route.q, route.sort]);
  const listed = useConversationList(params);
  const selection = useSelection(items, JSON.stringify(params));
  const matching = matchingCount(params, listed.counts, listed.countsCapped);
  useShortcut('x', () => {
    if (props.selectedId !== null) selection.toggle(props.selectedId);
  });

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= items.length - LOAD_AHEAD) loadMore();
  }, [hasMore, loadingMore, lastIndex, items.length, loadMore]);

  useImperativeHandle(props.handle, () => ({
    scrollToIndex: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    focusRow: (id) => {
      const find = () => scroller.current?.querySelector<HTMLElement>(`[data-conversation-id="${id}"]`);
      // At once when the row is rendered, so focus never lags behind quick j/k presses;
      // a row scrolled in from afar renders on the next frame.
      const row = find();
      if (row) row.focus({ preventScroll: true });
      else requestAnimationFrame(() => find()?.focus({ preventScroll: true }));
    },
  }));

  return (
    <div className="list-scroller" ref={scroller} data-testid="conversation-list">
      <BulkBar
        selection={selection}
        params={params}
        loaded={items.length}
        matching={matching}
        agents={[...props.agents.values()]}
        meId={props.meId}
        isAdmin={props.agents.get(props.meId)?.role === 'admin'}
      />
      <ul className="list" aria-label={props.label} style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((item) => {
          const c = items[item.index]!;
          const assignee = c.assignedTo ? (c.assignedTo === props.meId ? 'You' : (props.agents.get(c.assignedTo)?.name ?? `User #${c.assignedTo}`)) : null;
          return (
            <li
              key={item.key}
              className="list-item"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              aria-posinset={item.index + 1}
              aria-setsize={items.length}
            >
              <input
                type="checkbox"
                className="bulk-check"
                aria-label={`Select ${c.subject}`}
                checked={selection.ids.has(c.id)}
                onChange={() => undefined}
                onClick={(event) => selection.toggle(c.id, event.shiftKey)}
              />
              <ConversationRow
                conversation={c}
                unread={isUnread(c)}
                active={c.id === props.activeId}
                selected={c.id === props.selectedId}
                assigneeName={assignee}
                snippet={props.snippets?.get(c.id)}
                words={props.words}
                href={props.hrefFor(c)}
                onOpen={props.onOpen}
                onFocusRow={props.onFocusRow}
              />
            </li>
          );
        })}
      </ul>
      {loadingMore ? (
        <p className="list-more" role="status">
          Loading more…
        </p>
      ) : null}
    </div>
  );
}
