import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListParams } from '../web/src/api/endpoints.js';
import type { Conversation, Message } from '../web/src/api/types.js';
import { keys } from '../web/src/inbox/cache.js';
import { applyFrame } from '../web/src/live/apply.js';
import type { EventFrame } from '../web/src/live/connection.js';

// The inbox's query cache against the live stream when a frame arrives while a query is still
// loading: the answer on its way was read before the change, and must not undo it.

type Delivery = NonNullable<Message['delivery']>;
type Page<T> = { items: T[]; nextCursor: string | null };
const message = (status: Delivery['status']) => ({ id: 7, conversationId: 1, delivery: { status } }) as unknown as Message;
const conversation = (status: Conversation['status'], updatedAt: number) =>
  ({ id: 1, status, lastMessageAt: 1, createdAt: 1, updatedAt }) as unknown as Conversation;
const frame = (type: string, data: object) => ({ type, data }) as unknown as EventFrame;

/** The server as a request reads it when it starts; answers wait for `answer()`. */
function server<T>(initial: T[]) {
  let now = initial;
  const waiting: Array<() => void> = [];
  return {
    set: (next: T[]) => {
      now = next;
    },
    read: () => {
      const seen = now;
      return new Promise<Page<T>>((resolve) => waiting.push(() => resolve({ items: seen, nextCursor: null })));
    },
    async answerAll(client: QueryClient) {
      // The first request's answer, and any request made since.
      while (waiting.length || client.isFetching()) {
        for (const release of waiting.splice(0)) release();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** What useThread and the inbox lists subscribe: an observer makes the query active, as on screen. */
function onScreen<T>(client: QueryClient, queryKey: readonly unknown[], read: () => Promise<Page<T>>) {
  const observer = new InfiniteQueryObserver(client, {
    queryKey,
    queryFn: read,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: Page<T>) => page.nextCursor ?? undefined,
  });
  const unsubscribe = observer.subscribe(() => {});
  return {
    items: () => (observer.getCurrentResult().data?.pages ?? []).flatMap((page) => page.items),
    unsubscribe,
  };
}

describe('a query loading while the stream changes it', () => {
  let client: QueryClient;
  afterEach(() => client.clear());

  it('the thread shows the delivery the stream reported, not the older answer still on its way', async () => {
    client = new QueryClient();
    const thread = server([message('queued')]);
    const shown = onScreen(client, keys.messages(1), thread.read);
    await expect.poll(() => client.isFetching()).toBe(1);

    thread.set([message('sent')]);
    applyFrame(client, 1, frame('message.updated', { message: message('sent'), conversation: conversation('pending', 2) }));
    await thread.answerAll(client);
    expect(shown.items().map((m) => (m as Message).delivery?.status)).toEqual(['sent']);
    shown.unsubscribe();
  });

  it('a list no longer shows a conversation the stream moved out of it while the list loaded', async () => {
    client = new QueryClient();
    const open = server([conversation('open', 1)]);
    const shown = onScreen(client, keys.list({ status: ['open'] } satisfies ListParams), open.read);
    await expect.poll(() => client.isFetching()).toBe(1);

    open.set([]);
    applyFrame(client, 1, frame('conversation.updated', { conversation: conversation('resolved', 2) }));
    await open.answerAll(client);
    expect(shown.items()).toEqual([]);
    shown.unsubscribe();
  });
});
