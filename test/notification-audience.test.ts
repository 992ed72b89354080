import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserActive } from '../src/accounts/index.js';
import type { CommandTarget } from '../src/inbox/commands/unit.js';
import {
  addMessage,
  assignConversation,
  createConversation,
  createTeam,
  inUnit,
  markNotificationsRead,
  setFollowing,
  updateConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import type { NotificationKind } from '../src/inbox/notifications/preferences.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// Who is told (issue 18), swept over every kind: for each, exactly the intended people get
// a notification — never the actor, never a team member the conversation does not concern
// (Olga is in no team of it and follows nothing), never a deactivated follower or member
// (Dave), never a customer. Then: a note tells only whom it mentions, imported history and
// noise mail tell nobody. test/notifications.test.ts covers folding, counts and the API.

let app: TestApp;
let admin: Person;
let ann: Person;
let bob: Person;
let carl: Person;
let dave: Person;
let olga: Person;
let otherCustomer: Person;
let teamId: number;
let n = 0;

beforeAll(async () => {
  app = await startTestApp();
  admin = await person(app, 'admin', { password: null });
  ann = await person(app, 'agent', { name: 'Ann Audience', password: null });
  bob = await person(app, 'agent', { name: 'Bob Audience', password: null });
  carl = await person(app, 'agent', { name: 'Carl Audience', password: null });
  dave = await person(app, 'agent', { name: 'Dave Audience', password: null });
  olga = await person(app, 'agent', { name: 'Olga Outside', password: null });
  otherCustomer = await person(app, 'customer', { password: null });
  const team = await createTeam(app.inbox, { name: `Audience ${process.pid}`, memberIds: [ann.id, bob.id, carl.id, dave.id], by: { userId: admin.id } });
  teamId = team.id;
});
afterAll(() => app?.close());

const everyone = () => [admin, ann, bob, carl, dave, olga, otherCustomer];
const by = (p: Person) => ({ userId: p.id });

/** A customer's conversation moved into the team, everyone's notifications read. */
async function teamConversation(target: CommandTarget = app.inbox): Promise<{ id: number; customerId: number }> {
  const email = `audience${++n}-${process.pid}@customers.test`;
  const { conversation } = await createConversation(target, { from: { customerEmail: email }, channel: 'ticket', subject: `Audience ${n}`, body: 'Help' });
  await updateConversation(target, { conversation: conversation.id, teamId, by: by(admin) });
  return { id: conversation.id, customerId: conversation.customer.id };
}
const readAll = async () => {
  for (const p of everyone()) await markNotificationsRead(app.inbox, { userId: p.id, all: true });
};
/** Dave follows, then is deactivated: what follows must not reach him. Reactivated by `restoreDave`. */
async function followThenDeactivate(conversationId: number) {
  await setFollowing(app.inbox, { conversation: conversationId, by: by(dave), follow: true });
  await setUserActive(app.accounts, dave.id, false);
}
const restoreDave = () => setUserActive(app.accounts, dave.id, true);

/** The unread notifications of a conversation, as user id → kind. */
async function told(conversationId: number): Promise<Record<number, string>> {
  const rows = await app.store.db
    .selectFrom('notifications')
    .select(['userId', 'kind'])
    .where('conversationId', '=', conversationId)
    .where('readAt', 'is', null)
    .execute();
  return Object.fromEntries(rows.map((r) => [Number(r.userId), r.kind]));
}
const expectTold = async (conversationId: number, expected: [Person, NotificationKind][]) =>
  expect(await told(conversationId)).toEqual(Object.fromEntries(expected.map(([p, kind]) => [p.id, kind])));

/** A conversation of the team assigned to Ann, which Bob follows and Dave followed before he was deactivated. */
async function assignedToAnn() {
  const c = await teamConversation();
  await assignConversation(app.inbox, { conversation: c.id, assigneeId: ann.id, by: by(admin) });
  await setFollowing(app.inbox, { conversation: c.id, by: by(bob), follow: true });
  await followThenDeactivate(c.id);
  await readAll();
  return c;
}

describe('who is told, for every kind', () => {
  it('assigned: the assignee only — not the one who assigned, not the team, not an outsider', async () => {
    const c = await teamConversation();
    await setFollowing(app.inbox, { conversation: c.id, by: by(bob), follow: true });
    await followThenDeactivate(c.id);
    await readAll();
    try {
      await assignConversation(app.inbox, { conversation: c.id, assigneeId: ann.id, by: by(admin) });
      await expectTold(c.id, [[ann, 'assigned']]);
    } finally {
      await restoreDave();
    }
  });

  it('customer_replied: the assignee; the followers as participating; nobody else', async () => {
    const c = await assignedToAnn();
    try {
      await addMessage(app.inbox, { conversation: c.id, from: { userId: c.customerId }, body: 'Any news?' });
      await expectTold(c.id, [
        [ann, 'customer_replied'],
        [bob, 'participating'],
      ]);
    } finally {
      await restoreDave();
    }
  });

  it("unassigned_activity: the team's active members only", async () => {
    const c = await teamConversation();
    await setUserActive(app.accounts, dave.id, false);
    await readAll();
    try {
      await addMessage(app.inbox, { conversation: c.id, from: { userId: c.customerId }, body: 'Hello?' });
      await expectTold(c.id, [
        [ann, 'unassigned_activity'],
        [bob, 'unassigned_activity'],
        [carl, 'unassigned_activity'],
      ]);
    } finally {
      await restoreDave();
    }
  });

  it('mentioned: a note tells the mentioned agent only — not the assignee, not the followers, not its author', async () => {
    const c = await assignedToAnn();
    try {
      await addMessage(app.inbox, { conversation: c.id, from: by(admin), body: 'Carl, a look? @Admin', isInternal: true, mentions: [carl.id] });
      await expectTold(c.id, [[carl, 'mentioned']]);
    } finally {
      await restoreDave();
    }
  });

  it('participating: a public reply tells the other followers, a status change all followers but its actor', async () => {
    const c = await assignedToAnn();
    try {
      await addMessage(app.inbox, { conversation: c.id, from: by(ann), body: 'We are on it' });
      await expectTold(c.id, [[bob, 'participating']]);
      await readAll();
      await updateConversationStatus(app.inbox, { conversation: c.id, status: 'resolved', by: by(bob) });
      await expectTold(c.id, [[ann, 'participating']]);
    } finally {
      await restoreDave();
    }
  });

  it('a deactivated assignee is not told; the followers still are', async () => {
    const c = await assignedToAnn();
    await restoreDave();
    await setUserActive(app.accounts, ann.id, false);
    try {
      await addMessage(app.inbox, { conversation: c.id, from: { userId: c.customerId }, body: 'Hello again' });
      await expectTold(c.id, [
        [bob, 'participating'],
        [dave, 'participating'],
      ]);
    } finally {
      await setUserActive(app.accounts, ann.id, true);
    }
  });
});

describe('what tells nobody', () => {
  it('imported history: assignment, replies, a mention, followers and a status change', async () => {
    const id = await inUnit(
      app.inbox,
      async (unit) => {
        const c = await teamConversation(unit);
        await assignConversation(unit, { conversation: c.id, assigneeId: ann.id, by: by(admin) });
        await setFollowing(unit, { conversation: c.id, by: by(bob), follow: true });
        await addMessage(unit, { conversation: c.id, from: { userId: c.customerId }, body: 'from before' });
        await addMessage(unit, { conversation: c.id, from: by(admin), body: 'noted', isInternal: true, mentions: [carl.id] });
        await addMessage(unit, { conversation: c.id, from: by(ann), body: 'answered then' });
        await updateConversationStatus(unit, { conversation: c.id, status: 'resolved', by: by(bob) });
        return c.id;
      },
      { origin: 'import' },
    );
    const rows = await app.store.db.selectFrom('notifications').select('id').where('conversationId', '=', id).execute();
    expect(rows).toEqual([]);
  });

  it('noise mail (an auto-reply) on an unassigned team conversation with followers: not the team, not the followers', async () => {
    const c = await teamConversation();
    await setFollowing(app.inbox, { conversation: c.id, by: by(bob), follow: true });
    await readAll();
    await addMessage(app.inbox, { conversation: c.id, from: { userId: c.customerId }, body: 'I am out of office', auto: 'auto_reply', keepStatus: true });
    await expectTold(c.id, []);
  });
});
