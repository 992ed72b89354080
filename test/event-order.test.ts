import { describe, expect, it } from 'vitest';
import { addMessage } from '../src/inbox/commands.js';
import { openStore } from '../src/store/database.js';
import { listEventsSince } from '../src/store/events.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

const inbox = useTestInbox();

describe('event ids', () => {
  it('become visible in id order, so a reader resuming after the last id it saw misses nothing', async () => {
    const agent = await makeAgent(inbox);
    const conversations = await Promise.all(Array.from({ length: 10 }, () => makeConversation(inbox)));
    let cursor = (await listEventsSince(inbox.store.db, 0, 10_000)).at(-1)?.id ?? 0;
    const start = cursor;

    // A second connection pool plays another app instance reading the event table
    // while this one writes from many connections at once.
    const reader = inbox.store.dialect === 'postgres' ? openStore({ databaseUrl: inbox.store.location.replace(':***@', '@'), dataDir: '' }) : inbox.store;
    const seen: number[] = [];
    let writing = true;
    const readLoop = (async () => {
      while (writing || seen.length === 0 || (await listEventsSince(reader.db, cursor, 1)).length > 0) {
        for (const event of await listEventsSince(reader.db, cursor, 500)) {
          seen.push(event.id);
          cursor = event.id;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        addMessage(inbox.ctx, {
          conversation: conversations[i % 10]!.conversation.id,
          from: i % 2 ? { userId: agent.id } : { userId: conversations[i % 10]!.conversation.customer.id },
          body: `message ${i}`,
        }),
      ),
    );
    writing = false;
    await readLoop;
    if (reader !== inbox.store) await reader.close();

    const all = (await listEventsSince(inbox.store.db, start, 10_000)).map((e) => e.id);
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect(seen).toEqual(all);
  });
});
