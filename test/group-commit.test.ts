import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage } from '../src/inbox/commands.js';
import { getConversation, getInboxCounts } from '../src/inbox/queries.js';
import { openPostgres, openSqlite, type Store } from '../src/store/database.js';
import { countMessages } from '../src/store/messages.js';
import { transact } from '../src/store/transaction.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Units queued while a transaction runs share the next commit (src/store/transaction.ts).
// These tests start many units in one tick, so all but the first form one batch.

const inbox = useTestInbox();

const insertName = (name: string) => (tx: Parameters<Parameters<typeof transact>[1]>[0]) => tx.insertInto('sequences').values({ name, value: 1 }).execute();

async function names(store: Store, prefix: string): Promise<string[]> {
  const rows = await store.db.selectFrom('sequences').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute();
  return rows.map((r) => r.name);
}

describe('group commit', () => {
  let observer: Store;
  beforeAll(() => {
    // A second connection sees only what was committed.
    observer = inbox.store.dialect === 'postgres' ? openPostgres(inbox.store.connectionString!) : openSqlite(inbox.store.location);
  });
  afterAll(() => observer.close());

  it('a unit that fails in a shared batch rolls back alone; the others commit', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        transact(inbox.store, async (tx) => {
          await insertName(`batch-a-${String(i).padStart(2, '0')}`)(tx);
          if (i % 4 === 2) throw new Error(`unit ${i} refused`);
          return i;
        }),
      ),
    );
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([2, 6, 10]);
    expect((outcomes[6] as PromiseRejectedResult).reason.message).toBe('unit 6 refused');
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual([0, 1, 3, 4, 5, 7, 8, 9, 11]);
    expect(await names(observer, 'batch-a-')).toEqual([0, 1, 3, 4, 5, 7, 8, 9, 11].map((i) => `batch-a-${String(i).padStart(2, '0')}`));
  });

  it('a database error in one unit (a duplicate key) does not break the batch', async () => {
    const outcomes = await Promise.allSettled([
      transact(inbox.store, insertName('batch-b-1')),
      transact(inbox.store, insertName('batch-b-2')),
      transact(inbox.store, insertName('batch-b-2')),
      transact(inbox.store, insertName('batch-b-3')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await names(observer, 'batch-b-')).toEqual(['batch-b-1', 'batch-b-2', 'batch-b-3']);
  });

  it('nobody hears of a result before it is committed', async () => {
    const seenAtResolve: string[][] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        transact(inbox.store, insertName(`batch-c-${i}`)).then(async () => {
          seenAtResolve[i] = await names(observer, `batch-c-${i}`);
        }),
      ),
    );
    expect(seenAtResolve).toEqual(Array.from({ length: 8 }, (_, i) => [`batch-c-${i}`]));
  });

  it('refused commands among concurrent ones leave no trace and the counters stay exact', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        addMessage(inbox.ctx, {
          conversation: conversation.id,
          from: i % 2 ? { userId: agent.id } : { userId: conversation.customer.id },
          // Every sixth is a customer trying to write an internal note: refused midway.
          isInternal: i % 6 === 0,
          body: `message ${i}`,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(5);
    const after = await getConversation(inbox.ctx, conversation.id);
    expect(after.messageCount).toBe(1 + 25);
    expect(await countMessages(observer.db, conversation.id)).toBe(26);
    // The stored counters agree with a count of the rows themselves.
    const counts = await getInboxCounts(inbox.ctx, agent.id);
    const rows = await observer.db
      .selectFrom('conversations')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const actual = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    for (const status of ['open', 'pending', 'resolved', 'closed'] as const) expect(counts.statuses[status]).toBe(actual[status] ?? 0);
  });
});
