import { describe, expect, it } from 'vitest';
import { addMessage, inUnit } from '../src/inbox/commands.js';
import { getConversationEvents, getConversationMessages } from '../src/inbox/queries.js';
import { runCompiled } from '../src/store/compiled.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Statements compiled once per shape (src/store/compiled.ts) and a unit that remembers its
// look-ups (unit.ts rememberLookups): both must write and answer exactly what the plain
// path does, on both databases.

const inbox = useTestInbox();

const NOW = Date.UTC(2026, 0, 1);
const user = (n: number, extra: { passwordHash?: string | undefined } = {}) => ({
  name: `Compiled ${n}`,
  email: `compiled-${n}@example.test`,
  role: 'customer' as const,
  createdAt: NOW + n,
  updatedAt: NOW + n,
  ...extra,
});

describe('statements compiled once', () => {
  it('runs each call with its own values, a column left undefined left out, one shape per number of rows', async () => {
    const { db } = inbox.store;
    const insert = (rows: ReturnType<typeof user>[]) =>
      runCompiled(db, 'test-users', rows, (slots) => db.insertInto('users').values(slots).returning(['name', 'email', 'passwordHash', 'createdAt']));
    expect(await insert([user(1)])).toEqual([{ name: 'Compiled 1', email: 'compiled-1@example.test', passwordHash: null, createdAt: NOW + 1 }]);
    // Same shape: the compiled statement again, with these values, not the first call's.
    expect(await insert([user(2, { passwordHash: undefined })])).toEqual([
      { name: 'Compiled 2', email: 'compiled-2@example.test', passwordHash: null, createdAt: NOW + 2 },
    ]);
    // One more column: another shape.
    expect(await insert([user(3, { passwordHash: 'hash-3' })])).toEqual([
      { name: 'Compiled 3', email: 'compiled-3@example.test', passwordHash: 'hash-3', createdAt: NOW + 3 },
    ]);
    expect(await insert([user(4), user(5, { passwordHash: 'hash-5' })])).toEqual([
      { name: 'Compiled 4', email: 'compiled-4@example.test', passwordHash: null, createdAt: NOW + 4 },
      { name: 'Compiled 5', email: 'compiled-5@example.test', passwordHash: 'hash-5', createdAt: NOW + 5 },
    ]);
    const stored = await db.selectFrom('users').select(['email', 'passwordHash']).where('email', 'like', 'compiled-%').orderBy('email').execute();
    expect(stored).toEqual([1, 2, 3, 4, 5].map((n) => ({ email: `compiled-${n}@example.test`, passwordHash: n === 3 || n === 5 ? `hash-${n}` : null })));
  });

  it('keeps a value the builder itself puts in the statement', async () => {
    const { db } = inbox.store;
    const rows = [user(6), user(7)];
    const inserted = await runCompiled(db, 'test-constant', rows, (slots) =>
      db
        .insertInto('users')
        .values(slots.map((slot) => ({ ...slot, name: 'Set by the builder' })))
        .returning(['name', 'email']),
    );
    expect(inserted).toEqual([
      { name: 'Set by the builder', email: 'compiled-6@example.test' },
      { name: 'Set by the builder', email: 'compiled-7@example.test' },
    ]);
  });
});

describe('a unit that remembers its look-ups', () => {
  it('asks once per key when it remembers, every time when it does not', async () => {
    const asked = { plain: 0, remembering: 0 };
    await inUnit(inbox.ctx, async (unit) => {
      for (let i = 0; i < 3; i++) await unit.remembered('k', async () => ++asked.plain);
      unit.rememberLookups();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await unit.remembered('k', async () => ++asked.remembering));
      expect(answers).toEqual([1, 1, 1]);
      expect(await unit.remembered('other', async () => 'other')).toBe('other');
    });
    expect(asked).toEqual({ plain: 3, remembering: 1 });
  });

  it('writes the same messages, senders, followers and events as units that do not', async () => {
    const customer = `remember-${Date.now()}@example.test`;
    const agent = await makeAgent(inbox);
    const write = async (remember: boolean) => {
      const { conversation } = await makeConversation(inbox, { from: { customerEmail: customer, name: 'Rita Remember' } });
      await inUnit(inbox.ctx, async (unit) => {
        if (remember) unit.rememberLookups();
        for (const body of ['one', 'two', 'three']) {
          await addMessage(unit, { conversation: conversation.id, from: { customerId: conversation.customer.id }, body });
          await addMessage(unit, { conversation: conversation.id, from: { userId: agent.id }, body: `re ${body}` });
        }
      });
      const messages = (await getConversationMessages(inbox.ctx, conversation.id)).items.map((m) => [m.sender.type, m.sender.name, m.sender.email, m.body]);
      const events = (await getConversationEvents(inbox.ctx, conversation.id)).map((e) => [e.eventType, e.performedBy, e.performedByName]);
      const followers = await inbox.store.db
        .selectFrom('conversation_participants')
        .select(['userId', 'reason'])
        .where('conversationId', '=', conversation.id)
        .execute();
      return { messages, events, followers: followers.map((f) => [Number(f.userId), f.reason]) };
    };
    const plain = await write(false);
    expect(plain.messages).toHaveLength(7);
    expect(plain.followers).toEqual([[agent.id, 'replied']]);
    expect(await write(true)).toEqual(plain);
  });
});
