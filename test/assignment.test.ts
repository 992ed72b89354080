import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSeen } from '../src/accounts/availability.js';
import { updateProfile } from '../src/accounts/profile.js';
import { setAssignmentRule } from '../src/inbox/commands/assignment-rules.js';
import {
  addMessage,
  createConversation,
  createTeam,
  escalateConversation,
  inUnit,
  updateConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { findConversation } from '../src/store/conversations.js';
import type { AssignmentMode } from '../src/store/schema.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/email.js';

// Issue 16, assignment rules: decided in the transaction of the command through which a
// conversation arrives (created, reopened, handed over by the bot, moved into a team), only
// to members online now, within their capacity; what finds nobody waits in the team's queue
// and is handed out the moment someone has room, by the outbox worker's timer (running here).
// Every test has a team of its own, so whoever another test left online does not count.

let app: TestApp;
let admin: Person;

beforeAll(async () => {
  app = await startTestApp({ worker: { run: true } });
  admin = await person(app, 'admin', 'Rule Admin');
});
afterAll(async () => {
  await app?.close();
});

let teamNo = 0;
/** A team of `size` agents, all online, new tickets routed to it, with the rule given. */
async function team(size: number, mode: AssignmentMode, rule: { capacity?: number | null; reopened?: boolean } = {}) {
  const agents: Person[] = [];
  for (let i = 0; i < size; i++) agents.push(await person(app, 'agent', { name: `Agent ${++teamNo}`, password: null }));
  await recordSeen(
    app.accounts,
    agents.map((a) => a.id),
  );
  const created = await createTeam(app.inbox, { name: `Team ${teamNo}`, memberIds: agents.map((a) => a.id), channels: ['ticket'], by: { userId: admin.id } });
  await setAssignmentRule(app.inbox, {
    scope: created.id,
    mode,
    capacity: rule.capacity ?? null,
    capacities: [],
    arrivals: { new: true, reopened: rule.reopened ?? true, handover: true },
    by: { userId: admin.id },
  });
  return { id: created.id, agents };
}

let ticketNo = 0;
async function ticket(channel: 'ticket' | 'chatbot' = 'ticket', withBot = false) {
  const n = ++ticketNo;
  const { conversation } = await createConversation(app.inbox, {
    from: { customerEmail: `buyer${n}@customers.test` },
    channel,
    subject: `Question ${n}`,
    body: 'Hello?',
    withBot,
  });
  return conversation;
}

const assigneeOf = async (id: number) => (await findConversation(app.store.db, app.store.dialect, { id }))!.assignedTo;

describe('assignment rules', () => {
  it('round robin gives three online agents 10 each of 30 new conversations, in turn', async () => {
    const { agents } = await team(3, 'round_robin');
    const given: (number | null)[] = [];
    for (let i = 0; i < 30; i++) given.push((await ticket()).assignedTo);
    const ids = agents.map((a) => a.id);
    expect(given).toEqual(Array.from({ length: 30 }, (_, i) => ids[i % 3]));
  });

  it('an agent who goes busy or offline drops out of the turn at once, and is back in it when online', async () => {
    const { agents } = await team(3, 'round_robin');
    const [a, b, c] = agents.map((x) => x.id) as [number, number, number];
    expect((await ticket()).assignedTo).toBe(a);
    await updateProfile(app.accounts, b, { availability: 'busy' });
    expect([(await ticket()).assignedTo, (await ticket()).assignedTo, (await ticket()).assignedTo]).toEqual([c, a, c]);
    await updateProfile(app.accounts, b, { availability: 'auto' });
    expect([(await ticket()).assignedTo, (await ticket()).assignedTo]).toEqual([a, b]);
  });

  it('records the rule as who assigned, with origin rule, and the assignee follows the conversation', async () => {
    const { agents } = await team(1, 'round_robin');
    const conversation = await ticket();
    const events = await app.store.db.selectFrom('conversation_events').selectAll().where('conversationId', '=', conversation.id).orderBy('id').execute();
    const assigned = events.find((e) => e.eventType === 'assigned')!;
    expect(assigned).toMatchObject({ origin: 'rule', performedBy: null, performedByName: `Assignment rule (Team ${teamNo})`, newValue: String(agents[0]!.id) });
    const follower = await app.store.db.selectFrom('conversation_participants').selectAll().where('conversationId', '=', conversation.id).execute();
    expect(follower.map((f) => [Number(f.userId), f.reason])).toEqual([[agents[0]!.id, 'assigned']]);
  });

  it('balanced gives the next one to whoever holds the fewest open conversations', async () => {
    const { id, agents } = await team(3, 'manual');
    const [a, b, c] = agents.map((x) => x.id) as [number, number, number];
    // By hand: a holds 3, b 1, c 2.
    for (const [who, n] of [
      [a, 3],
      [b, 1],
      [c, 2],
    ] as const)
      for (let i = 0; i < n; i++) await updateConversation(app.inbox, { conversation: (await ticket()).id, assigneeId: who, by: { userId: admin.id } });
    await setAssignmentRule(app.inbox, {
      scope: id,
      mode: 'balanced',
      capacity: null,
      capacities: [],
      arrivals: { new: true, reopened: true, handover: true },
      by: { userId: admin.id },
    });
    // b (1) → b and c tie at 2, and the turn after b is c's → b again (2 against 3).
    expect([(await ticket()).assignedTo, (await ticket()).assignedTo, (await ticket()).assignedTo]).toEqual([b, c, b]);
  });

  it('never gives anything to an offline or busy member; with nobody online the conversation waits in the queue', async () => {
    const { agents } = await team(2, 'round_robin');
    await updateProfile(app.accounts, agents[0]!.id, { availability: 'offline' });
    await updateProfile(app.accounts, agents[1]!.id, { availability: 'busy' });
    const waiting = await ticket();
    expect(waiting.assignedTo).toBeNull();
    const queued = await app.store.db.selectFrom('assignment_queue').selectAll().where('conversationId', '=', waiting.id).executeTakeFirst();
    expect(queued).toBeDefined();
    // Back online by hand: the queue drains at once, without anyone touching the conversation.
    await updateProfile(app.accounts, agents[1]!.id, { availability: 'auto' });
    expect(await waitFor(() => assigneeOf(waiting.id), 5_000, 'the queue to drain')).toBe(agents[1]!.id);
  });

  it('holds capacity as a hard limit, queues the rest oldest first, and hands the oldest out when one is resolved', async () => {
    const { agents } = await team(2, 'round_robin', { capacity: 2 });
    const tickets: Awaited<ReturnType<typeof ticket>>[] = [];
    for (let i = 0; i < 6; i++) tickets.push(await ticket());
    expect(tickets.map((t) => t.assignedTo)).toEqual([agents[0]!.id, agents[1]!.id, agents[0]!.id, agents[1]!.id, null, null]);
    await updateConversationStatus(app.inbox, { conversation: tickets[0]!.id, status: 'resolved', by: { userId: agents[0]!.id } });
    expect(await waitFor(() => assigneeOf(tickets[4]!.id), 5_000, 'the oldest queued one to be handed out')).toBe(agents[0]!.id);
    expect(await assigneeOf(tickets[5]!.id)).toBeNull();
  });

  it('drains the queue when an agent comes online (their first inbox socket)', async () => {
    const { agents } = await team(1, 'round_robin');
    await updateProfile(app.accounts, agents[0]!.id, { availability: 'offline' });
    const waiting = await ticket();
    // Their last socket closed long ago: back to automatic, they are offline until one opens.
    await app.store.db.updateTable('users').set({ lastSeenAt: 0 }).where('id', '=', agents[0]!.id).execute();
    await updateProfile(app.accounts, agents[0]!.id, { availability: 'auto' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await assigneeOf(waiting.id)).toBeNull();
    await recordSeen(app.accounts, [agents[0]!.id], Date.now(), true);
    expect(await waitFor(() => assigneeOf(waiting.id), 5_000, 'the queue to drain')).toBe(agents[0]!.id);
  });

  it('reassigns a reopened conversation whose assignee is away, and leaves it with one who is online', async () => {
    const { agents } = await team(2, 'round_robin');
    const [a, b] = agents.map((x) => x.id) as [number, number];
    const first = await ticket();
    expect(first.assignedTo).toBe(a);
    await updateConversationStatus(app.inbox, { conversation: first.id, status: 'resolved', by: { userId: a } });
    await updateProfile(app.accounts, a, { availability: 'offline' });
    const reopened = await addMessage(app.inbox, {
      conversation: first.id,
      from: { customerEmail: `buyer${ticketNo}@customers.test` },
      body: 'It broke again',
    });
    expect(reopened.conversation).toMatchObject({ status: 'open', assignedTo: b });
    await updateConversationStatus(app.inbox, { conversation: first.id, status: 'resolved', by: { userId: b } });
    const again = await addMessage(app.inbox, { conversation: first.id, from: { customerEmail: `buyer${ticketNo}@customers.test` }, body: 'And again' });
    expect(again.conversation.assignedTo).toBe(b);
  });

  it('assigns a chat when the bot hands it over, not while the bot answers', async () => {
    const { id, agents } = await team(1, 'round_robin');
    await app.store.db.deleteFrom('team_channels').where('channel', '=', 'chatbot').execute();
    const chat = await ticket('chatbot', true);
    expect(chat.assignedTo).toBeNull();
    await updateConversation(app.inbox, { conversation: chat.id, teamId: id, by: { userId: admin.id } });
    expect(await assigneeOf(chat.id)).toBeNull();
    const handed = await escalateConversation(app.inbox, { conversation: chat.id, reason: 'asked', by: { bot: 'Onethread bot' } });
    expect(handed.assignedTo).toBe(agents[0]!.id);
  });

  it('assigns an open conversation moved into a team by hand, and never what an import brings', async () => {
    const { id, agents } = await team(1, 'round_robin');
    await app.store.db.deleteFrom('team_channels').where('channel', '=', 'email').execute();
    const { conversation } = await createConversation(app.inbox, {
      from: { customerEmail: 'moved@customers.test' },
      channel: 'email',
      subject: 'Moved',
      body: 'Hi',
    });
    const moved = await updateConversation(app.inbox, { conversation: conversation.id, teamId: id, by: { userId: admin.id } });
    expect(moved.assignedTo).toBe(agents[0]!.id);
    const imported = await inUnit(
      app.inbox,
      (unit) => createConversation(unit, { from: { customerEmail: 'old@customers.test' }, channel: 'ticket', subject: 'Old', body: 'From before' }),
      {
        origin: 'import',
      },
    );
    expect(imported.conversation.assignedTo).toBeNull();
  });
});
