import { type MouseEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Conversation, User } from '../api/types';
import { type InboxRoute, navigate, routeUrl } from '../app/route';
import { ConversationView } from '../conversation/ConversationView';
import { searchWords } from '../ui/highlight';
import { Icon } from '../ui/Icon';
import { useShortcut } from '../ui/keyboard';
import { Empty, Failed, Loading } from '../ui/states';
import { ConversationList, type ListHandle } from './ConversationList';
import { FilterBar, SearchBox, SortPicker } from './Filters';
import { NewConversation } from './NewConversation';
import { Onboarding } from './Onboarding';
import { useAgents } from './useAgents';
import { useConversationList, useSearchSnippets } from './useConversationList';
import { useViewCounts } from './useCounts';
import { useSavedViewName } from './useSavedViews';
import { useTeams } from './useTeams';
import { viewScope } from './viewScope';
import { listParams, viewDefinition } from './views';

export function InboxPage({ route, me, onMenu }: { route: InboxRoute; me: User; onMenu(): void }) {
  const params = useMemo(() => listParams(route.view, route.filters, route.q, route.sort), [route.view, route.filters, route.q, route.sort]);
  const list = useConversationList(params);
  const snippets = useSearchSnippets(route.q);
  const { agents, byId } = useAgents();
  const countOf = useViewCounts();
  const view = viewDefinition(route.view);
  const { teams } = useTeams();
  const team = typeof view.base.team === 'number' ? teams.find((t) => t.id === view.base.team) : undefined;
  const savedName = useSavedViewName(route.view);
  const words = useMemo(() => searchWords(route.q), [route.q]);
  const listHandle = useRef<ListHandle>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const [selectedId, setSelectedId] = useState<number | null>(route.conversationId);

  useEffect(() => {
    if (route.conversationId !== null) setSelectedId(route.conversationId);
  }, [route.conversationId]);

  const hrefFor = useCallback((c: Conversation) => routeUrl({ ...route, conversationId: c.id }), [route]);
  const open = useCallback(
    (c: Conversation) => {
      setSelectedId(c.id);
      navigate({ ...route, conversationId: c.id });
    },
    [route],
  );
  const onOpen = useCallback(
    (event: MouseEvent, c: Conversation) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      open(c);
    },
    [open],
  );

  const move = (delta: number) => {
    const items = list.items;
    if (items.length === 0) return;
    const index = items.findIndex((c) => c.id === selectedId);
    const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + delta));
    const target = items[next]!;
    setSelectedId(target.id);
    listHandle.current?.scrollToIndex(next);
    listHandle.current?.focusRow(target.id);
  };
  useShortcut('j', () => move(1));
  useShortcut('k', () => move(-1));
  useShortcut('Enter', (event) => {
    // Enter on a focused row link is the link's own click.
    if (event.target instanceof HTMLAnchorElement || event.target instanceof HTMLButtonElement) return;
    const selected = list.items.find((c) => c.id === selectedId);
    if (selected) {
      event.preventDefault();
      open(selected);
    }
  });
  useShortcut('/', (event) => {
    event.preventDefault();
    searchInput.current?.focus();
  });
  useShortcut('Escape', () => {
    if (route.conversationId !== null) navigate({ ...route, conversationId: null });
  });

  const headerCount = Object.keys(route.filters).length === 0 && !route.q ? countOf(route.view) : undefined;
  const title = route.q ? `Search: ${route.q}` : (savedName ?? team?.name ?? view.name);
  const scope = route.q ? null : viewScope(route.view, route.filters);

  let body: ReactNode;
  if (list.isPending) body = <Loading label="Loading conversations…" />;
  else if (list.isError) body = <Failed what="conversations" error={list.error} retry={() => void list.refetch()} />;
  // Not a single conversation anywhere yet (the sidebar's count, no extra query): how to get the first.
  else if (list.items.length === 0 && !route.q && countOf('all') === 0) body = <Onboarding />;
  else if (list.items.length === 0)
    body = (
      <Empty title={route.q ? 'No conversations match' : scope ? `No ${scope.replace(/^All /, '').toLowerCase()}` : 'No conversations here'}>
        {route.q || Object.keys(route.filters).length ? 'Try other words or clear the filters.' : 'New conversations appear here as they arrive.'}
      </Empty>
    );
  else
    body = (
      <ConversationList
        items={list.items}
        activeId={route.conversationId}
        selectedId={selectedId}
        agents={byId}
        meId={me.id}
        snippets={snippets.data}
        words={words}
        hasMore={list.hasNextPage}
        loadingMore={list.isFetchingNextPage}
        loadMore={() => void list.fetchNextPage()}
        hrefFor={hrefFor}
        onOpen={onOpen}
        onFocusRow={setSelectedId}
        label={scope ?? `${title} conversations`}
        handle={listHandle}
      />
    );

  return (
    <div className="inbox" data-open={route.conversationId !== null || undefined}>
      <section className="list-pane" aria-labelledby="list-title">
        <header className="list-header">
          <div className="list-title-row">
            <button type="button" className="icon-button menu-button" onClick={onMenu} aria-label="Show views">
              <Icon name="menu" size={20} />
            </button>
            <h1 id="list-title">{title}</h1>
            {headerCount !== undefined ? <span className="list-count">{headerCount}</span> : null}
            <SortPicker route={route} />
            <NewConversation me={me} onCreated={open} />
          </div>
          {scope ? <p className="list-scope">{scope}</p> : null}
          <SearchBox route={route} inputRef={searchInput} />
          <FilterBar route={route} agents={agents} />
        </header>
        {body}
      </section>
      <section className="thread-pane" aria-label="Conversation">
        {route.conversationId === null ? (
          <Empty title="No conversation open">Pick one from the list, or press j / k and Enter. Press ? for all shortcuts.</Empty>
        ) : (
          <ConversationView key={route.conversationId} id={route.conversationId} me={me} onBack={() => navigate({ ...route, conversationId: null })} />
        )}
      </section>
    </div>
  );
}
