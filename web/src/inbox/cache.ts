import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { ListParams, MessagePage } from '../api/endpoints';
import type { Conversation, ConversationPage, Message, Priority, Sort } from '../api/types';

// The query cache as the live stream and optimistic actions see it: one conversation
// changes, and every cached list it belongs to shows it at its place in that list's order;
// every list it left no longer does. A thread is cached as the pages loaded so far, the
// newest first.

export const keys = {
  me: ['me'] as const,
  lists: ['conversations'] as const,
  list: (params: ListParams) => ['conversations', params] as const,
  snippets: (q: string) => ['search-snippets', q] as const,
  counts: ['counts'] as const,
  conversation: (id: number) => ['conversation', id] as const,
  messages: (id: number) => ['messages', id] as const,
  events: (id: number) => ['events', id] as const,
  agents: ['agents'] as const,
  teams: ['teams'] as const,
  team: ['team'] as const,
};

type Pages = InfiniteData<ConversationPage, string | undefined>;
type ThreadPages = InfiniteData<MessagePage, string | undefined>;

// What this tab has read, by conversation. The server records it too (POST …/read), but
// lists already loaded carry the old `unread`: this mark hides "New reply" at once, and
// until a newer customer message arrives.
const readMarks = new Map<number, number>();

export function markReadLocally(conversation: Pick<Conversation, 'id' | 'lastCustomerMessageAt'>): void {
  readMarks.set(conversation.id, conversation.lastCustomerMessageAt ?? 0);
}

export function isUnread(conversation: Conversation): boolean {
  if (!conversation.unread) return false;
  const mark = readMarks.get(conversation.id);
  return mark === undefined || (conversation.lastCustomerMessageAt ?? 0) > mark;
}

const PRIORITY_RANK: Record<Priority, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

/** Each sort's keys, compared in turn, largest first, as the API orders a list. */
const SORT_KEYS: Record<Sort, (c: Conversation) => number[]> = {
  lastMessageAt: (c) => [c.lastMessageAt, c.id],
  createdAt: (c) => [c.createdAt, c.id],
  priority: (c) => [PRIORITY_RANK[c.priority ?? 'normal'], c.lastMessageAt, c.id],
};

/** Whether `a` comes before `b` in a list sorted by `sort`. */
function before(sort: Sort, a: Conversation, b: Conversation): boolean {
  const ka = SORT_KEYS[sort](a);
  const kb = SORT_KEYS[sort](b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]!;
  return false;
}

/** Whether a conversation belongs in a list; null when only the server can say (text search). */
export function matches(conversation: Conversation, params: ListParams, meId: number): boolean | null {
  // Who was mentioned or follows is not on the conversation: the lists keep whom they had.
  if (params.mentioned || params.participating) return params.status?.length && !params.status.includes(conversation.status) ? false : null;
  // Spam is in the Spam view only, a merged tombstone in none (the server's rule, store/conversations.ts).
  if ((conversation.shelf ?? null) !== (params.state === 'spam' ? 'spam' : null)) return false;
  if (params.state === 'snoozed' && !conversation.snoozed) return false;
  if (params.status?.length && !params.status.includes(conversation.status)) return false;
  if (params.channel && conversation.channel !== params.channel) return false;
  if (params.assignee !== undefined) {
    const want = params.assignee === 'me' ? meId : params.assignee === 'unassigned' ? null : params.assignee;
    if ((conversation.assignedTo ?? null) !== want) return false;
  }
  if (params.priority && conversation.priority !== params.priority) return false;
  if (params.team !== undefined && (conversation.team?.id ?? 'none') !== params.team) return false;
  if (params.label && !(conversation.labels ?? []).includes(params.label)) return false;
  if (params.tag && !(conversation.tags ?? []).includes(params.tag.trim().toLowerCase().replace(/\s+/g, '-'))) return false;
  if (params.handler && (conversation.tags ?? []).includes('bot') !== (params.handler === 'bot')) return false;
  if (params.type && conversation.type !== params.type) return false;
  return params.q ? null : true;
}

export function findInLists(client: QueryClient, id: number): Conversation | undefined {
  for (const [, data] of client.getQueriesData<Pages>({ queryKey: keys.lists })) {
    for (const page of data?.pages ?? []) {
      const found = page.items.find((c) => c.id === id);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Puts the conversation's latest state everywhere it is cached. `unread` from a frame is
 * absent (frames are not per agent): the cached value stays unless the caller knows better.
 */
export function upsertConversation(client: QueryClient, meId: number, next: Conversation, options: { unread?: boolean } = {}): void {
  const previous = client.getQueryData<Conversation>(keys.conversation(next.id)) ?? findInLists(client, next.id);
  // An older copy must not overwrite a newer one (a slow response after a live frame).
  if (previous && previous.updatedAt > next.updatedAt && options.unread === undefined) return;
  const conversation: Conversation = { ...next, unread: options.unread ?? next.unread ?? previous?.unread ?? false };
  if (client.getQueryData(keys.conversation(next.id)) !== undefined) client.setQueryData(keys.conversation(next.id), conversation);
  const again = () => upsertConversation(client, meId, next, options);
  replayWhenLoaded(client, keys.conversation(next.id), again);
  for (const list of client.getQueryCache().findAll({ queryKey: keys.lists })) replayWhenLoaded(client, list.queryKey, again);

  for (const [key, data] of client.getQueriesData<Pages>({ queryKey: keys.lists })) {
    if (!data) continue;
    const params = (key[1] ?? {}) as ListParams;
    const existed = data.pages.some((page) => page.items.some((c) => c.id === next.id));
    const belongs = matches(conversation, params, meId) ?? existed;
    client.setQueryData<Pages>(key, placeInPages(data, conversation, belongs, params.sort ?? 'lastMessageAt'));
  }
}

function placeInPages(data: Pages, conversation: Conversation, belongs: boolean, sort: Sort): Pages {
  const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.id !== conversation.id) }));
  if (belongs) {
    const lastPage = pages[pages.length - 1];
    // Past the loaded end of a list that has more: the next page brings it in place.
    let placed = false;
    for (const page of pages) {
      const index = page.items.findIndex((c) => before(sort, conversation, c));
      if (index >= 0) {
        page.items.splice(index, 0, conversation);
        placed = true;
        break;
      }
    }
    if (!placed && lastPage && !lastPage.nextCursor) {
      lastPage.items.push(conversation);
    }
  }
  return { ...data, pages };
}

export function removeConversation(client: QueryClient, id: number): void {
  for (const list of client.getQueryCache().findAll({ queryKey: keys.lists })) replayWhenLoaded(client, list.queryKey, () => removeConversation(client, id));
  for (const [key, data] of client.getQueriesData<Pages>({ queryKey: keys.lists })) {
    if (!data) continue;
    client.setQueryData<Pages>(key, { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.id !== id) })) });
  }
}

function updateThread(client: QueryClient, conversationId: number, change: (pages: MessagePage[]) => MessagePage[]): void {
  const apply = () =>
    client.setQueryData<ThreadPages>(keys.messages(conversationId), (thread) => (thread ? { ...thread, pages: change(thread.pages) } : thread));
  apply();
  replayWhenLoaded(client, keys.messages(conversationId), apply);
}

type Change = () => void;
const replays = new Map<object, Change[]>();
/**
 * A query still loading answers with what the server read before this change, and that answer
 * would overwrite it (a reply's delivery stuck at "queued" once it had been sent): the change is
 * made again once the answer is in. Frames come in order, so replaying them in order leaves the
 * newest state, at no extra request (a refetch per frame would also starve a busy inbox's loads).
 */
function replayWhenLoaded(client: QueryClient, queryKey: readonly unknown[], change: Change): void {
  const query = client.getQueryCache().find({ queryKey, exact: true });
  if (!query?.promise || query.state.fetchStatus !== 'fetching') return;
  const queued = replays.get(query);
  if (queued) {
    queued.push(change);
    return;
  }
  replays.set(query, [change]);
  // Settles after the query has stored its answer: the query awaited this promise first.
  void query.promise
    .catch(() => undefined)
    .finally(() => {
      const changes = replays.get(query) ?? [];
      replays.delete(query);
      for (const again of changes) again();
    });
}

type Cached = Message & { pending?: true };

/** The agent's own message confirmed by the stream takes the place of its copy still marked as sending. */
function isSendingCopyOf(cached: Cached, message: Cached): boolean {
  return (
    cached.pending === true &&
    !message.pending &&
    cached.sender.id === message.sender.id &&
    cached.isInternal === message.isInternal &&
    cached.body.trim() === message.body.trim() &&
    cached.attachments.length === message.attachments.length
  );
}

/**
 * Adds a message to a cached thread unless it is there; the thread shows it by time. The live stream
 * may bring the agent's own reply before the POST answers: it then replaces the copy marked as sending,
 * so the reply never shows twice.
 */
export function appendMessage(client: QueryClient, message: Cached): void {
  updateThread(client, message.conversationId, (pages) => {
    if (pages.some((page) => page.items.some((m) => m.id === message.id))) return pages;
    const sending = pages.flatMap((page) => page.items).find((m) => isSendingCopyOf(m, message));
    if (sending) return pages.map((page) => ({ ...page, items: page.items.map((m) => (m === sending ? message : m)) }));
    const [newest, ...older] = pages;
    if (!newest) return pages;
    return [{ ...newest, items: [...newest.items, message] }, ...older];
  });
}

/** Puts a changed message (its delivery, say) in place of the cached copy. */
export function replaceMessage(client: QueryClient, message: Message): void {
  updateThread(client, message.conversationId, (pages) =>
    pages.map((page) => (page.items.some((m) => m.id === message.id) ? { ...page, items: page.items.map((m) => (m.id === message.id ? message : m)) } : page)),
  );
}

export function removeMessage(client: QueryClient, conversationId: number, messageId: number): void {
  updateThread(client, conversationId, (pages) => pages.map((page) => ({ ...page, items: page.items.filter((m) => m.id !== messageId) })));
}

/** A snapshot of everything an optimistic change may touch, to put back on failure. */
export function snapshot(client: QueryClient, id: number): () => void {
  const saved = [...client.getQueriesData({ queryKey: keys.lists }), [keys.conversation(id), client.getQueryData(keys.conversation(id))] as const];
  return () => {
    for (const [key, data] of saved) client.setQueryData(key, data);
  };
}
