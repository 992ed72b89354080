import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/accounts/index.js';
import type { Store } from '../src/store/database.js';
import { insertUser } from '../src/store/users.js';
import { call, type Instance, Live, type Person, person, startInstance } from './support/live.js';
import { makeTestStore } from './support/store.js';

// Issue 13, item 8: a `conversation.deleted` frame follows the one visibility rule of
// policies.ts (a customer sees their address's conversations once it is confirmed, before
// that only those they opened), live and on replay — though the row is gone by then.

let store: Store;
let main: Instance;

beforeAll(async () => {
  store = await makeTestStore();
  main = await startInstance(store, { pollMs: 60_000 });
});
afterAll(async () => {
  await main.app.close();
  await store.close();
});

let n = 0;
/** A customer account whose address was never confirmed (as the contact form, mail or sign-up leave it), with an API token. */
async function unconfirmedCustomer(): Promise<Person> {
  const email = `unconfirmed${++n}-${process.pid}@example.test`;
  const row = await insertUser(store.db, { name: `Unconfirmed ${n}`, email, role: 'customer', now: Date.now() });
  expect(row.emailVerifiedAt).toBeNull();
  const token = await createApiToken(main.accounts, Number(row.id), 'test');
  return { id: Number(row.id), name: row.name, email, token: token.token, tokenId: token.id };
}

const deletedFrames = (socket: Live) =>
  socket
    .events()
    .filter((f) => f.type === 'conversation.deleted')
    .map((f) => f.data.id as number);

type Cast = {
  agent: Person;
  admin: Person;
  confirmed: Person;
  unconfirmed: Person;
  /** Opened by an agent for the confirmed customer's address. */
  forConfirmed: number;
  /** Opened by an agent for the unconfirmed account's address: not theirs to see yet. */
  forUnconfirmed: number;
  /** Opened by the unconfirmed account itself while signed in: theirs. */
  ownedByUnconfirmed: number;
};

async function cast(): Promise<Cast> {
  const [agent, admin, confirmed, unconfirmed] = await Promise.all([
    person(main, 'agent'),
    person(main, 'admin'),
    person(main, 'customer'),
    unconfirmedCustomer(),
  ]);
  const open = async (who: Person, body: Record<string, unknown>) =>
    (await call(main, who, 'POST', '/api/conversations', { body: 'hello', ...body }))!.conversation.id as number;
  const forConfirmed = await open(agent, { subject: 'For the confirmed', customer: { email: confirmed.email } });
  const forUnconfirmed = await open(agent, { subject: 'For the unconfirmed address', customer: { email: unconfirmed.email } });
  const ownedByUnconfirmed = await open(unconfirmed, { subject: 'Opened by the unconfirmed' });
  return { agent, admin, confirmed, unconfirmed, forConfirmed, forUnconfirmed, ownedByUnconfirmed };
}

/** Sockets for the agent, the confirmed and the unconfirmed customer, each replaying after `since`. */
const replayAll = (c: Cast, since: number) =>
  Promise.all([Live.as(c.agent, main, `?since=${since}`), Live.as(c.confirmed, main, `?since=${since}`), Live.as(c.unconfirmed, main, `?since=${since}`)]);

describe('conversation.deleted follows the visibility rule', () => {
  it('live: the team and whoever could see the conversation get it; an unconfirmed account with the address does not', async () => {
    const c = await cast();
    const [agentSocket, confirmedSocket, unconfirmedSocket] = await Promise.all([
      Live.as(c.agent, main),
      Live.as(c.confirmed, main),
      Live.as(c.unconfirmed, main),
    ]);
    for (const id of [c.forConfirmed, c.forUnconfirmed, c.ownedByUnconfirmed]) await call(main, c.admin, 'DELETE', `/api/conversations/${id}`);
    const all = [c.forConfirmed, c.forUnconfirmed, c.ownedByUnconfirmed];

    // Events reach each socket in id order: a later event each of them sees marks the end.
    const marker = (await call(main, c.unconfirmed, 'POST', '/api/conversations', { subject: 'Marker', body: 'after the deletions' }))!.conversation
      .id as number;
    await call(main, c.agent, 'PATCH', `/api/conversations/${marker}`, { status: 'resolved' });
    const confirmedMarker = (await call(main, c.agent, 'POST', '/api/conversations', {
      subject: 'Marker',
      body: 'after',
      customer: { email: c.confirmed.email },
    }))!.conversation.id as number;
    await agentSocket.waitFor((f) => f.type === 'conversation.created' && f.data.conversation.id === confirmedMarker);
    await unconfirmedSocket.waitFor((f) => f.type === 'conversation.updated' && f.data.conversation.id === marker);
    await confirmedSocket.waitFor((f) => f.type === 'conversation.created' && f.data.conversation.id === confirmedMarker);

    expect(deletedFrames(agentSocket)).toEqual(all);
    expect(deletedFrames(confirmedSocket)).toEqual([c.forConfirmed]);
    expect(deletedFrames(unconfirmedSocket)).toEqual([c.ownedByUnconfirmed]);
    await Promise.all([agentSocket, confirmedSocket, unconfirmedSocket].map((s) => s.close()));
  });

  it('on replay with ?since=: the same frames to the same people', async () => {
    const c = await cast();
    const before = await Live.as(c.agent, main);
    const since = before.frames.find((f) => f.type === 'ready')!.id;
    for (const id of [c.forConfirmed, c.forUnconfirmed, c.ownedByUnconfirmed]) await call(main, c.admin, 'DELETE', `/api/conversations/${id}`);
    const all = [c.forConfirmed, c.forUnconfirmed, c.ownedByUnconfirmed];
    await before.waitFor((f) => f.type === 'conversation.deleted' && f.data.id === c.ownedByUnconfirmed);
    await before.close();

    // Every replayed event is sent before `ready`, so `ready` means the replay is complete.
    const [agentSocket, confirmedSocket, unconfirmedSocket] = await replayAll(c, since);
    expect(deletedFrames(agentSocket)).toEqual(all);
    expect(deletedFrames(confirmedSocket)).toEqual([c.forConfirmed]);
    expect(deletedFrames(unconfirmedSocket)).toEqual([c.ownedByUnconfirmed]);
    await Promise.all([agentSocket, confirmedSocket, unconfirmedSocket].map((s) => s.close()));
  });

  it('a deletion recorded before the event named the owner reaches only a customer who confirmed that address', async () => {
    const c = await cast();
    const before = await Live.as(c.agent, main);
    const since = before.frames.find((f) => f.type === 'ready')!.id;
    await before.close();
    for (const id of [c.forConfirmed, c.ownedByUnconfirmed]) await call(main, c.admin, 'DELETE', `/api/conversations/${id}`);
    // Rewrite the two events as an older server wrote them: number, subject and address only.
    const events = await store.db
      .selectFrom('conversation_events')
      .selectAll()
      .where('eventType', '=', 'deleted')
      .where('conversationId', 'in', [c.forConfirmed, c.ownedByUnconfirmed])
      .execute();
    expect(events).toHaveLength(2);
    for (const event of events) {
      const { number, subject, customerEmail } = JSON.parse(event.oldValue!) as Record<string, unknown>;
      await store.db
        .updateTable('conversation_events')
        .set({ oldValue: JSON.stringify({ number, subject, customerEmail }) })
        .where('id', '=', event.id)
        .execute();
    }

    const [agentSocket, confirmedSocket, unconfirmedSocket] = await replayAll(c, since);
    expect(deletedFrames(agentSocket)).toEqual([c.forConfirmed, c.ownedByUnconfirmed]);
    expect(deletedFrames(confirmedSocket)).toEqual([c.forConfirmed]);
    // Without openedBy the one sure owner is a confirmed address; the unconfirmed account is not it.
    expect(deletedFrames(unconfirmedSocket)).toEqual([]);
    await Promise.all([agentSocket, confirmedSocket, unconfirmedSocket].map((s) => s.close()));
  });
});
