import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { ListParams } from '../api/endpoints';
import type { Conversation, ConversationPage, Message } from '../api/types';

// The query cache as the live stream and optimistic actions see it: one conversation
// changes, and every cached list it belongs to shows it at its place by last activity;
// every list it left no longer does.

export const keys = {
  me: ['me'] as const,
  lists: ['conversations'] as const,
  list: (params: ListParams) => ['conversations', params] as const,
  snippets: (q: string) => ['search-snippets', q] as const,
  counts: ['counts'] as const,
  count: (key: string) => ['counts', key] as const,
  conversation: (id: number) => ['conversation', id] as const,
  messages: (id: number) => ['messages', id] as const,
  events: (id: number) => ['events', id] as const,
  agents: ['agents'] as const,
  team: ['team'] as const,
};

type Pages = InfiniteData<ConversationPage, string | undefined>;

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

/** Newest activity first, ties by id, as the API sorts. */
const before = (a: Conversation, b: Conversation) => a.lastMessageAt > b.lastMessageAt || (a.lastMessageAt === b.lastMessageAt && a.id > b.id);

/** Whether a conversation belongs in a list; null when only the server can say (text search). */
export function matches(conversation: Conversation, params: ListParams, meId: number): boolean | null {
  if (params.status?.length && !params.status.includes(conversation.status)) return false;
  if (params.channel && conversation.channel !== params.channel) return false;
  if (params.assignee !== undefined) {
    const want = params.assignee === 'me' ? meId : params.assignee === 'unassigned' ? null : params.assignee;
    if ((conversation.assignedTo ?? null) !== want) return false;
  }
  if (params.priority && conversation.priority !== params.priority) return false;
  if (params.label && !(conversation.labels ?? []).includes(params.label)) return false;
  if (params.tag && !(conversation.tags ?? []).includes(params.tag.trim().toLowerCase().replace(/\s+/g, '-'))) return false;
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

  for (const [key, data] of client.getQueriesData<Pages>({ queryKey: keys.lists })) {
    if (!data) continue;
    const params = (key[1] ?? {}) as ListParams;
    const existed = data.pages.some((page) => page.items.some((c) => c.id === next.id));
    const belongs = matches(conversation, params, meId) ?? existed;
    client.setQueryData<Pages>(key, placeInPages(data, conversation, belongs));
  }
}

function placeInPages(data: Pages, conversation: Conversation, belongs: boolean): Pages {
  const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.id !== conversation.id) }));
  if (belongs) {
    const lastPage = pages[pages.length - 1];
    // Past the loaded end of a list that has more: the next page brings it in place.
    let placed = false;
    for (const page of pages) {
      const index = page.items.findIndex((c) => before(conversation, c));
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
  for (const [key, data] of client.getQueriesData<Pages>({ queryKey: keys.lists })) {
    if (!data) continue;
    client.setQueryData<Pages>(key, { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.id !== id) })) });
  }
}

/** Appends a message to a cached thread unless it is there; keeps the thread oldest first. */
export function appendMessage(client: QueryClient, message: Message): void {
  client.setQueryData<Message[]>(keys.messages(message.conversationId), (thread) => {
    if (!thread) return thread;
    if (thread.some((m) => m.id === message.id)) return thread;
    return [...thread, message].sort((a, b) => a.sentAt - b.sentAt || a.id - b.id);
  });
}

/** A snapshot of everything an optimistic change may touch, to put back on failure. */
export function snapshot(client: QueryClient, id: number): () => void {
  const saved = [
    ...client.getQueriesData({ queryKey: keys.lists }),
    [keys.conversation(id), client.getQueryData(keys.conversation(id))] as const,
  ];
  return () => {
    for (const [key, data] of saved) client.setQueryData(key, data);
  };
}
