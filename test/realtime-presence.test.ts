import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/database.js';
import { call, type Frame, type Instance, Live, messageOf, type Person, person, sleep, startInstance } from './support/live.js';
import { makeTestStore } from './support/store.js';

// Presence: team sockets announce which conversation they view or type in, and every
// other team socket of the instance hears it at once. Ordering arguments below: the
// server handles one socket's frames in order and sends a relayed frame before it reads
// the next, so "B has A's later frame" proves B was sent (or not) the earlier ones.

let store: Store;
let on: Instance;

beforeAll(async () => {
  store = await makeTestStore();
  on = await startInstance(store, { pollMs: 60_000 });
});
afterAll(async () => {
  await on.app.close();
  await store.close();
});

const presence = (conversationId: number, state: string) => ({ type: 'presence', conversationId, state });
const presenceOf = (userId: number, conversationId: number, state: string) => (f: Frame) =>
  f.type === 'presence' && f.data.user.id === userId && f.data.conversationId === conversationId && f.data.state === state;
const presenceFrames = (socket: Live) => socket.frames.filter((f) => f.type === 'presence');

async function eventCount(): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from conversation_events`.execute(store.db);
  return Number(rows[0]!.n);
}

async function agents(): Promise<[Person, Person]> {
  return [await person(on, 'agent'), await person(on, 'admin')];
}

describe('presence over the live stream', () => {
  it('relays viewing and typing to the other team sockets with the sender’s name, not back to the sender, and never stores it', async () => {
    const [a, b] = await agents();
    const customer = await person(on, 'customer');
    const { conversation } = (await call(on, customer, 'POST', '/api/conversations', { subject: 'Who is on it?', body: 'x' }))!;
    const events = await eventCount();
    const [onA, onB, onCustomer] = await Promise.all([Live.as(a, on), Live.as(b, on), Live.as(customer, on)]);
    onA.send(presence(conversation.id, 'viewing'));
    const viewing = await onB.waitFor(presenceOf(a.id, conversation.id, 'viewing'));
    expect(viewing).toEqual({
      type: 'presence',
      data: { conversationId: conversation.id, user: { id: a.id, name: a.name }, state: 'viewing', at: expect.any(String) },
    });
    expect(new Date(viewing.data.at).toISOString()).toBe(viewing.data.at);
    expect(Math.abs(Date.parse(viewing.data.at) - Date.now())).toBeLessThan(5000);
    onA.send(presence(conversation.id, 'typing'));
    await onB.waitFor(presenceOf(a.id, conversation.id, 'typing'));
    onB.send(presence(conversation.id, 'viewing'));
    await onA.waitFor(presenceOf(b.id, conversation.id, 'viewing'));
    // A had B's frame, which the server handled after A's two: A was not sent its own.
    expect(presenceFrames(onA).map((f) => f.data.user.id)).toEqual([b.id]);
    // An event after the presence frames: once the customer has it, nothing earlier is still on its way.
    await call(on, customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'still there?' });
    await onCustomer.waitFor(messageOf('still there?'));
    expect(presenceFrames(onCustomer)).toEqual([]);
    // Ephemeral: no event row, so nothing to replay.
    expect(await eventCount()).toBe(events + 1);
    const replayed = await Live.as(b, on, `?since=${onB.frames.find((f) => f.type === 'ready')!.id}`);
    const live = onB.events().filter((f) => f.type !== 'presence');
    expect(live.length).toBeGreaterThan(0);
    expect(replayed.events()).toEqual(live);
    await Promise.all([onA.close(), onB.close(), onCustomer.close(), replayed.close()]);
  });

  it('closing a socket tells the others it left the conversations it was still in', async () => {
    const [a, b] = await agents();
    const [onA, onB] = await Promise.all([Live.as(a, on), Live.as(b, on)]);
    onA.send(presence(101, 'viewing'));
    onA.send(presence(102, 'typing'));
    onA.send(presence(103, 'viewing'));
    onA.send(presence(103, 'left'));
    await onB.waitFor(presenceOf(a.id, 103, 'left'));
    await onA.close();
    await onB.waitFor(presenceOf(a.id, 101, 'left'));
    await onB.waitFor(presenceOf(a.id, 102, 'left'));
    // A frame B is sent after those: anything else the close produced arrived before it.
    const fence = await Live.as(a, on);
    fence.send(presence(104, 'viewing'));
    await onB.waitFor(presenceOf(a.id, 104, 'viewing'));
    // 103 was left already: one `left` for it, not two.
    expect(
      presenceFrames(onB)
        .filter((f) => f.data.state === 'left')
        .map((f) => f.data.conversationId)
        .sort(),
    ).toEqual([101, 102, 103]);
    await Promise.all([onB.close(), fence.close()]);
  });

  it('answers malformed frames with an error frame and keeps the socket', async () => {
    const [a, b] = await agents();
    const [onA, onB] = await Promise.all([Live.as(a, on), Live.as(b, on)]);
    const bad = [
      'not json',
      JSON.stringify({ type: 'presence', conversationId: 'seven', state: 'viewing' }),
      JSON.stringify({ type: 'presence', conversationId: 7, state: 'dancing' }),
      JSON.stringify({ type: 'presence', conversationId: 7, state: 'viewing', extra: true }),
      JSON.stringify({ type: 'subscribe' }),
    ];
    for (const frame of bad) onA.send(frame);
    onA.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await onA.waitFor(() => onA.frames.filter((f) => f.type === 'error').length === bad.length + 1);
    const errors = onA.frames.filter((f) => f.type === 'error');
    for (const error of errors) {
      expect(error).toEqual({ type: 'error', data: { code: 'invalid_frame', message: expect.any(String) } });
    }
    expect(errors[2]!.data.message).toMatch(/state/);
    expect(errors[5]!.data.message).toMatch(/binary/);
    onA.send(presence(7, 'viewing'));
    await onB.waitFor(presenceOf(a.id, 7, 'viewing'));
    expect(onA.closedWith).toBeNull();
    expect(presenceFrames(onB)).toHaveLength(1);
    await Promise.all([onA.close(), onB.close()]);
  });

  it('ignores presence from customers', async () => {
    const [a, b] = await agents();
    const customer = await person(on, 'customer');
    const [onB, onCustomer] = await Promise.all([Live.as(b, on), Live.as(customer, on)]);
    onCustomer.send(presence(9, 'typing'));
    // Its frames are handled in order: once this one is answered, the presence frame was handled.
    onCustomer.send('not json');
    await onCustomer.waitFor((f) => f.type === 'error');
    const onA = await Live.as(a, on);
    onA.send(presence(9, 'viewing'));
    await onB.waitFor(presenceOf(a.id, 9, 'viewing'));
    expect(presenceFrames(onB).map((f) => f.data.user.id)).toEqual([a.id]);
    await Promise.all([onA.close(), onB.close(), onCustomer.close()]);
  });

  it('relays at most 10 frames a second from one socket and says so once', async () => {
    const [a, b] = await agents();
    const [onA, onB] = await Promise.all([Live.as(a, on), Live.as(b, on)]);
    for (let i = 1; i <= 15; i++) onA.send(presence(1000 + i, 'viewing'));
    const limited = await onA.waitFor((f) => f.type === 'error');
    expect(limited.data.code).toBe('rate_limited');
    // A new second: accepted again; once it is relayed, the burst was handled.
    await sleep(1100);
    onA.send(presence(2000, 'viewing'));
    await onB.waitFor(presenceOf(a.id, 2000, 'viewing'));
    expect(presenceFrames(onB).map((f) => f.data.conversationId)).toEqual([...Array.from({ length: 10 }, (_, i) => 1001 + i), 2000]);
    expect(onA.frames.filter((f) => f.type === 'error')).toHaveLength(1);
    expect(onA.closedWith).toBeNull();
    await Promise.all([onA.close(), onB.close()]);
  });
});
