import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkInsertUsers, bulkLoadConversations, type SeedConversation } from '../bench/bulk-load.js';
import { runBulkJob } from '../src/inbox/commands.js';
import type { Store } from '../src/store/database.js';
import type { Role, Status } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { makeTestStore } from './support/store.js';

// Bulk actions (issue 17): POST /api/conversations/bulk starts a durable job that changes
// each conversation in its own unit of work; GET /api/jobs/:id reports its progress. The
// targets are fixed when it starts, a failure on one conversation is reported and stops
// nothing, a restart resumes it without doing anything twice, and only its creator (and
// admins) see it.

let store: Store;
let server: TestApp;
let admin: Person;
let agent: Person;
let other: Person;
let customer: Person;
let seeded = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role, name?: string) => newPerson(server, role, name ?? {});

/** `count` open conversations tagged `tag`, written as the benchmark seeds them (bench/bulk-load.ts); their ids in order. */
async function seed(count: number, tag: string): Promise<number[]> {
  const run = ++seeded;
  const customers = await bulkInsertUsers(
    store,
    Array.from({ length: Math.min(count, 50) }, (_, i) => ({
      name: `Customer ${run}-${i}`,
      email: `bulk-${run}-${i}-${process.pid}@example.test`,
      role: 'customer' as const,
    })),
    Date.now(),
  );
  const start = Date.now() - count * 1000;
  function* conversations(): Generator<SeedConversation> {
    for (let i = 0; i < count; i++) {
      const id = customers[i % customers.length]!;
      const who = { id, name: `Customer ${run}-${i % customers.length}`, email: `bulk-${run}-${i % customers.length}-${process.pid}@example.test` };
      yield {
        channel: 'email',
        type: 'support',
        customer: who,
        subject: `Bulk ${tag} ${i}`,
        status: 'open',
        priority: 'normal',
        assignedTo: null,
        labels: [],
        tags: [tag],
        messages: [{ senderType: 'customer', senderId: id, senderName: who.name, senderEmail: who.email, body: 'Please help.', sentAt: start + i * 1000 }],
      };
    }
  }
  await bulkLoadConversations(store, conversations(), { batchSize: 2000 });
  const rows = await store.db.selectFrom('conversations').select('id').where('subject', 'like', `Bulk ${tag} %`).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

const job = async (who: Person, id: number) => (await ok(who, 'GET', `/api/jobs/${id}`)).job as Json;
const start = async (who: Person, body: Json) => {
  const response = await call(who, 'POST', '/api/conversations/bulk', body);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body!.job as Json;
};
/** Runs the worker until nothing is due: the job's timer fires and runs it. */
const drain = async (on: TestApp = server) => {
  while ((await on.composition.worker.runOnce()) > 0);
};

/** The conversations' statuses counted from their rows, the truth the counters must agree with. */
async function recount(): Promise<Record<Status, number>> {
  const rows = await store.db
    .selectFrom('conversations')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('shelf', 'is', null)
    .groupBy('status')
    .execute();
  const counts = { open: 0, pending: 0, resolved: 0, closed: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Events of the given kind per conversation, for those conversations. */
async function eventsPer(ids: readonly number[], eventType: string): Promise<Map<number, number>> {
  const rows = await store.db
    .selectFrom('conversation_events')
    .select(['conversationId', sql<number>`count(*)`.as('n')])
    .where('eventType', '=', eventType)
    .where('conversationId', 'in', ids)
    .groupBy('conversationId')
    .execute();
  return new Map(rows.map((r) => [Number(r.conversationId), Number(r.n)]));
}

beforeAll(async () => {
  store = await makeTestStore();
  server = await startTestApp({ store });
  admin = await person('admin', 'Ada Admin');
  agent = await person('agent', 'Alex Agent');
  other = await person('agent', 'Olli Other');
  customer = await person('customer', 'Casey Customer');
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

describe('bulk actions', () => {
  it('closes all 10,000 conversations matching a view, and the counters and views agree with a recount', async () => {
    const ids = await seed(10_000, 'tenk');
    const started = await start(agent, { filter: { tag: 'tenk', status: 'open' }, action: { actions: [{ type: 'status', status: 'closed' }] } });
    expect(started).toMatchObject({ status: 'running', total: 10_000, done: 0, failed: 0 });
    const began = Date.now();
    await drain();
    const seconds = (Date.now() - began) / 1000;
    expect(await job(agent, started.id)).toMatchObject({ status: 'done', total: 10_000, done: 10_000, failed: 0, failures: [] });
    if (store.dialect === 'sqlite') expect(seconds).toBeLessThan(60);

    const truth = await recount();
    expect((await ok(agent, 'GET', '/api/inbox/counts')).statuses).toEqual(truth);
    const view = await ok(agent, 'GET', '/api/conversations?tag=tenk&status=open');
    expect(view.items).toEqual([]);
    expect(view.counts.open).toBe(0);
    expect(view.counts.closed).toBe(10_000);
    expect((await ok(agent, 'GET', '/api/conversations?status=closed')).counts.closed).toBe(truth.closed);
    // One `closed` event each, by the agent who asked.
    const events = await eventsPer(ids, 'closed');
    expect(events.size).toBe(10_000);
    expect([...events.values()].every((n) => n === 1)).toBe(true);
    const by = await store.db
      .selectFrom('conversation_events')
      .select(['performedBy', 'origin'])
      .where('conversationId', '=', ids[0]!)
      .where('eventType', '=', 'closed')
      .executeTakeFirstOrThrow();
    expect({ performedBy: Number(by.performedBy), origin: by.origin }).toEqual({ performedBy: agent.id, origin: 'user' });
  }, 300_000);

  it('reports a conversation deleted mid-job and finishes the others', async () => {
    const ids = await seed(450, 'midway');
    const started = await start(admin, {
      ids,
      action: {
        actions: [
          { type: 'priority', priority: 'high' },
          { type: 'labels', add: ['urgent'] },
        ],
      },
    });
    // One batch, then the job pauses as a stopping app does.
    let batches = 0;
    expect(await runBulkJob(server.inbox, started.id, { stopping: () => batches++ > 0 })).toBe(false);
    const halfway = await job(admin, started.id);
    expect(halfway).toMatchObject({ status: 'running', done: 200, failed: 0 });
    const gone = ids[300]!;
    expect((await call(admin, 'DELETE', `/api/conversations/${gone}`)).status).toBe(204);
    await drain();
    const finished = await job(admin, started.id);
    expect(finished).toMatchObject({ status: 'done', total: 450, done: 449, failed: 1 });
    expect(finished.failures).toEqual([{ id: gone, code: 'not_found', error: 'conversation not found' }]);
    const changed = await store.db.selectFrom('conversations').select(['priority', 'labels']).where('id', 'in', ids).execute();
    expect(changed).toHaveLength(449);
    expect(changed.every((c) => c.priority === 'high' && JSON.parse(c.labels).includes('urgent'))).toBe(true);
  }, 60_000);

  it('resumes a job after the app restarts mid-way, with no conversation done twice', async () => {
    const ids = await seed(2000, 'restart');
    const first = await startTestApp({ store, worker: { run: true } });
    const started = await start(agent, { ids, action: { actions: [{ type: 'assign', assigneeId: 'me' }] } });
    const progress = () =>
      store.db
        .selectFrom('bulk_jobs' as never)
        .select(sql<number>`done + failed`.as('n'))
        .where(sql`id`, '=', started.id)
        .executeTakeFirstOrThrow();
    // The first app's worker takes the job; it stops between two batches when the app stops.
    for (let i = 0; i < 500 && Number((await progress()).n) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await first.close();
    const stopped = await job(agent, started.id);
    expect(stopped.status).toBe('running');
    expect(stopped.done).toBeGreaterThan(0);
    expect(stopped.done).toBeLessThan(2000);

    const second = await startTestApp({ store });
    try {
      await drain(second);
    } finally {
      await second.close();
    }
    expect(await job(agent, started.id)).toMatchObject({ status: 'done', total: 2000, done: 2000, failed: 0 });
    const events = await eventsPer(ids, 'assigned');
    expect(events.size).toBe(2000);
    expect([...events.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('two runners of one job never act on a conversation twice', async () => {
    const ids = await seed(300, 'twice');
    const started = await start(agent, { ids, action: { actions: [{ type: 'note', body: 'Checked in bulk.' }] } });
    await Promise.all([runBulkJob(server.inbox, started.id), runBulkJob(server.inbox, started.id)]);
    expect(await job(agent, started.id)).toMatchObject({ status: 'done', done: 300, failed: 0 });
    const notes = await store.db
      .selectFrom('messages')
      .select(['conversationId', sql<number>`count(*)`.as('n')])
      .where('conversationId', 'in', ids)
      .where('isInternal', '=', 1 as never)
      .groupBy('conversationId')
      .execute();
    expect(notes).toHaveLength(300);
    expect(notes.every((n) => Number(n.n) === 1)).toBe(true);
    await drain();
  }, 60_000);

  it('runs a macro, and cancels a job between two conversations', async () => {
    const ids = await seed(3, 'macro');
    const macro = (await ok(agent, 'POST', '/api/macros', { name: 'Bulk tidy', actions: [{ type: 'tags', add: ['tidied'] }] })).macro as Json;
    const started = await start(agent, { ids, action: { macroId: macro.id } });
    await drain();
    expect(await job(agent, started.id)).toMatchObject({ status: 'done', done: 3 });
    expect((await eventsPer(ids, 'macro_applied')).size).toBe(3);

    const more = await seed(5, 'cancel');
    const cancelled = await start(agent, { ids: more, action: { actions: [{ type: 'status', status: 'pending' }] } });
    expect((await ok(agent, 'POST', `/api/jobs/${cancelled.id}/cancel`)).job).toMatchObject({ status: 'cancelled', done: 0 });
    await drain();
    expect(await runBulkJob(server.inbox, cancelled.id)).toBe(false);
    expect(await job(agent, cancelled.id)).toMatchObject({ status: 'cancelled', done: 0 });
    expect((await eventsPer(more, 'status_changed')).size).toBe(0);
  });

  it('snoozes and marks as spam in bulk, through the snooze and spam commands', async () => {
    const snoozing = await seed(4, 'snoozing');
    const snoozed = await start(agent, { ids: snoozing, action: { actions: [{ type: 'snooze', until: null }] } });
    const spamming = await seed(3, 'spamming');
    const spam = await start(agent, { ids: spamming, action: { spam: { block: null } } });
    await drain();
    expect(await job(agent, snoozed.id)).toMatchObject({ status: 'done', done: 4, failed: 0 });
    expect(await job(agent, spam.id)).toMatchObject({ status: 'done', done: 3, failed: 0 });
    const rows = await store.db
      .selectFrom('conversations')
      .select(['id', 'snoozedAt', 'shelf'])
      .where('id', 'in', [...snoozing, ...spamming])
      .execute();
    expect(
      rows
        .filter((r) => r.snoozedAt !== null)
        .map((r) => Number(r.id))
        .sort(),
    ).toEqual([...snoozing].sort());
    expect(
      rows
        .filter((r) => r.shelf === 'spam')
        .map((r) => Number(r.id))
        .sort(),
    ).toEqual([...spamming].sort());
    expect((await ok(agent, 'GET', '/api/inbox/counts')).statuses).toEqual(await recount());
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = (await call(null, 'GET', '/api/openapi.json')).body!;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/conversations/bulk', '/api/jobs/{id}', '/api/jobs/{id}/cancel']));
  });

  it('refuses delete to agents, hides a job from everyone but its creator and admins, and reports ids the agent may not act on', async () => {
    const ids = await seed(2, 'perm');
    const refused = await call(agent, 'POST', '/api/conversations/bulk', { ids, action: { delete: true } });
    expect(refused.status).toBe(403);
    expect((await call(customer, 'POST', '/api/conversations/bulk', { ids, action: { actions: [{ type: 'status', status: 'closed' }] } })).status).toBe(403);
    expect((await call(agent, 'POST', '/api/conversations/bulk', { ids, filter: {}, action: { delete: true } })).status).toBe(400);
    expect((await call(agent, 'POST', '/api/conversations/bulk', { ids, action: { macroId: 999_999 } })).status).toBe(404);

    const missing = [ids[0]!, 987_654_321, ids[1]!];
    const started = await start(agent, { ids: missing, action: { actions: [{ type: 'priority', priority: 'urgent' }] } });
    for (const stranger of [other, customer]) {
      expect((await call(stranger, 'GET', `/api/jobs/${started.id}`)).status).toBe(404);
      expect((await call(stranger, 'POST', `/api/jobs/${started.id}/cancel`)).status).toBe(404);
    }
    expect((await call(null, 'GET', `/api/jobs/${started.id}`)).status).toBe(401);
    await drain();
    const seen = await job(admin, started.id);
    expect(seen).toMatchObject({ status: 'done', total: 3, done: 2, failed: 1, failures: [{ id: 987_654_321, code: 'not_found' }] });
    expect((await call(agent, 'GET', '/api/jobs/987654321')).status).toBe(404);

    const deleted = await start(admin, { ids, action: { delete: true } });
    await drain();
    expect(await job(admin, deleted.id)).toMatchObject({ status: 'done', done: 2 });
    expect(await store.db.selectFrom('conversations').select('id').where('id', 'in', ids).execute()).toEqual([]);
    expect((await ok(agent, 'GET', '/api/inbox/counts')).statuses).toEqual(await recount());
  });
});
