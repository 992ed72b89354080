import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSeen } from '../src/accounts/availability.js';
import { setAssignmentRule } from '../src/inbox/commands/assignment-rules.js';
import { createConversation, createTeam } from '../src/inbox/commands.js';
import { openStore, type Store } from '../src/store/database.js';
import { person, startTestApp, type TestApp } from './support/app.js';

// Issue 16: capacity is a hard limit with two app instances on one PostgreSQL database
// creating conversations at the same time: each instance has its own connection pool and
// its own group commits, as two processes would. (SQLite has one process and one writer.)

describe.skipIf(!process.env.DATABASE_URL)('assignment rules, two instances on PostgreSQL', () => {
  let one: TestApp;
  let two: TestApp;
  let secondStore: Store;

  beforeAll(async () => {
    one = await startTestApp();
    secondStore = openStore({ databaseUrl: one.store.location.replace(':***@', '@'), dataDir: '' });
    two = await startTestApp({ store: secondStore });
  });
  afterAll(async () => {
    await two?.close();
    await secondStore?.close();
    await one?.close();
  });

  it('never gives an agent more than their capacity, nor a conversation twice, under 50 concurrent creates', async () => {
    const admin = await person(one, 'admin', { password: null });
    const agents = [
      await person(one, 'agent', { password: null }),
      await person(one, 'agent', { password: null }),
      await person(one, 'agent', { password: null }),
    ];
    await recordSeen(
      one.accounts,
      agents.map((a) => a.id),
    );
    const team = await createTeam(one.inbox, { name: 'Concurrent', memberIds: agents.map((a) => a.id), channels: ['ticket'], by: { userId: admin.id } });
    await setAssignmentRule(one.inbox, {
      scope: team.id,
      mode: 'round_robin',
      capacity: 5,
      capacities: [],
      arrivals: { new: true, reopened: true, handover: true },
      by: { userId: admin.id },
    });

    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        createConversation(i % 2 ? one.inbox : two.inbox, {
          from: { customerEmail: `rush${i}@customers.test` },
          channel: 'ticket',
          subject: `Rush ${i}`,
          body: 'Now!',
        }),
      ),
    );
    const ids = created.map((c) => c.conversation.id);
    const rows = await one.store.db.selectFrom('conversations').select(['id', 'assignedTo']).where('id', 'in', ids).execute();
    const perAgent = agents.map((a) => rows.filter((r) => Number(r.assignedTo) === a.id).length);
    expect(perAgent).toEqual([5, 5, 5]);
    const assignedEvents = await one.store.db
      .selectFrom('conversation_events')
      .select('conversationId')
      .where('conversationId', 'in', ids)
      .where('eventType', '=', 'assigned')
      .execute();
    expect(assignedEvents.length).toBe(15);
    expect(new Set(assignedEvents.map((e) => Number(e.conversationId))).size).toBe(15);
    const queued = await one.store.db.selectFrom('assignment_queue').select('conversationId').where('conversationId', 'in', ids).execute();
    expect(queued.length).toBe(35);
    // The counters the loads are read from agree with the rows.
    const counters = await one.store.db
      .selectFrom('inbox_counts')
      .selectAll()
      .where(
        'key',
        'in',
        agents.map((a) => `assignee:${a.id}:open`),
      )
      .execute();
    expect(counters.map((c) => Number(c.n)).sort()).toEqual([5, 5, 5]);
  });
});
