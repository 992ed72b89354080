import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportedConversation, importConversations } from '../src/import/conversation.js';
import { type ImportSource, runImport } from '../src/import/run.js';
import { createConversation, deleteConversation, mergeConversations } from '../src/inbox/commands.js';
import { getConversationMessages, getInboxCounts } from '../src/inbox/queries.js';
import { ok as apiOk, call, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { countRows } from './support/store.js';

// Issue 20's write path: one imported conversation goes in through the commands, in one
// transaction with origin `import`, at its original times — counters, search and the
// customer's history right, nothing sent or counted for it, and a second run adds nothing.

let server: TestApp;
let admin: Person;
let agent: Person;
let customer: Person;
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const importOne = async (input: ImportedConversation) => (await importConversations(server.inbox, [input]))[0]!;
const T = Date.UTC(2024, 4, 6, 9, 0);
const MINUTE = 60_000;

const ticket = (sourceId: string, overrides: Partial<ImportedConversation> = {}): ImportedConversation => ({
  source: 'convex:test',
  sourceId,
  legacyRef: `TK-${sourceId}`,
  channel: 'ticket',
  type: 'support',
  priority: 'high',
  status: 'resolved',
  subject: `Printer on fire ${sourceId}`,
  customer: { email: customer.email, name: customer.name },
  assignedTo: agent.id,
  tags: ['legacy'],
  messages: [
    { sourceId: `${sourceId}-m1`, from: { customer: true }, body: `The printer is smoking quietly ${sourceId}`, sentAt: T },
    { sourceId: `${sourceId}-m2`, from: { userId: agent.id }, body: 'Unplug it, we send a new one.', sentAt: T + 10 * MINUTE },
    { sourceId: `${sourceId}-m3`, from: { userId: agent.id }, body: 'Shipped with tracking 42.', isInternal: true, sentAt: T + 20 * MINUTE },
    { sourceId: `${sourceId}-m4`, from: { customer: true }, body: 'Got it, thanks!', sentAt: T + 60 * MINUTE },
  ],
  endedAt: T + 61 * MINUTE,
  ...overrides,
});

type CountedTable = 'messages' | 'outbox' | 'notifications' | 'report_facts' | 'csat_surveys' | 'timers';
const rowCount = (table: CountedTable) => countRows(server.store, table);

/** Rows of the tables nothing imported may add to: mail and jobs, notifications, report facts, surveys and their timers. */
async function sideEffectRows(): Promise<Record<string, number>> {
  return {
    outbox: await rowCount('outbox'),
    notifications: await rowCount('notifications'),
    report_facts: await rowCount('report_facts'),
    csat_surveys: await rowCount('csat_surveys'),
    timers: await rowCount('timers'),
  };
}

describe('importing a conversation', () => {
  beforeAll(async () => {
    server = await startTestApp();
    admin = await newPerson(server, 'admin', { name: 'Ada Admin', password: null });
    agent = await newPerson(server, 'agent', { name: 'Ben Agent', password: null });
    customer = await newPerson(server, 'customer', { name: 'Cleo Customer', password: null });
  });
  afterAll(() => server?.close());

  it('keeps senders, times and order; ends as the old system says; counts, search and the customer’s history are right', async () => {
    const countsBefore = await getInboxCounts(server.inbox, admin.id);
    const before = await sideEffectRows();
    const { outcome, conversationId } = await importOne(ticket('1001'));
    expect(outcome).toBe('created');

    const c = (await ok(admin, 'GET', `/api/conversations/${conversationId}`)).conversation;
    expect(c).toMatchObject({
      status: 'resolved',
      priority: 'high',
      assignedTo: agent.id,
      tags: ['legacy'],
      legacyRef: 'TK-1001',
      customer: { id: customer.id, name: 'Cleo Customer' },
      createdAt: T,
      firstMessageAt: T,
      lastMessageAt: T + 60 * MINUTE,
      lastReplyAt: T + 10 * MINUTE,
      resolvedAt: T + 61 * MINUTE,
      messageCount: 4,
    });
    const messages = (await getConversationMessages(server.inbox, conversationId)).items;
    expect(messages.map((m) => [m.sender.type, m.sender.id, m.sentAt, m.isInternal])).toEqual([
      ['customer', customer.id, T, false],
      ['admin', agent.id, T + 10 * MINUTE, false],
      ['admin', agent.id, T + 20 * MINUTE, true],
      ['customer', customer.id, T + 60 * MINUTE, false],
    ]);
    // The trail says where it came from, at the times it happened.
    const events = (await ok(admin, 'GET', `/api/conversations/${conversationId}/events`)).items as Json[];
    expect(new Set(events.map((e) => e.origin))).toEqual(new Set(['import']));
    expect(events.at(-1)).toMatchObject({ eventType: 'resolved', createdAt: T + 61 * MINUTE });

    // Nothing sent, notified, surveyed or counted in the reports.
    expect(await sideEffectRows()).toEqual(before);
    // Counters follow: one more resolved conversation, no open one.
    const countsAfter = await getInboxCounts(server.inbox, admin.id);
    expect(countsAfter.statuses.resolved).toBe(countsBefore.statuses.resolved + 1);
    expect(countsAfter.statuses.open).toBe(countsBefore.statuses.open);

    // Found by its old reference (first, exactly) and by its words; in the customer's own history.
    const byRef = (await ok(admin, 'GET', '/api/search?q=TK-1001')).items as Json[];
    expect(byRef[0]?.conversation.id).toBe(conversationId);
    const byWords = (await ok(admin, 'GET', '/api/search?q=smoking%20quietly%201001')).items as Json[];
    expect(byWords.map((i) => i.conversation.id)).toContain(conversationId);
    const portal = (await ok(customer, 'GET', '/api/conversations')).items as Json[];
    const own = portal.find((i) => i.id === conversationId);
    expect(own).toBeDefined();
    expect(own!.legacyRef).toBeUndefined();
    // Another customer searching for that reference finds nothing of it.
    const stranger = await newPerson(server, 'customer', { name: 'Dan Stranger', password: null });
    expect((await ok(stranger, 'GET', '/api/search?q=TK-1001')).items).toEqual([]);
  });

  it('a second run of the same record adds nothing, even after the team deleted it', async () => {
    const first = await importOne(ticket('1002'));
    const messagesBefore = await rowCount('messages');
    const again = await importOne(ticket('1002'));
    expect(again).toEqual({ outcome: 'already_imported', conversationId: first.conversationId, messages: 0 });
    const messagesAfter = await rowCount('messages');
    expect(messagesAfter).toBe(messagesBefore);
    const records = await server.store.db.selectFrom('import_records').selectAll().where('sourceId', 'like', '1002%').execute();
    expect(records.map((r) => [r.kind, r.sourceId, Number(r.targetId) > 0]).sort()).toEqual([
      ['conversation', '1002', true],
      ['message', '1002-m1', true],
      ['message', '1002-m2', true],
      ['message', '1002-m3', true],
      ['message', '1002-m4', true],
    ]);
    // A conversation the team deleted stays deleted: the next run does not bring it back.
    await deleteConversation(server.inbox, { conversation: first.conversationId, by: { userId: admin.id } });
    expect(await importOne(ticket('1002'))).toEqual({ outcome: 'already_imported', conversationId: first.conversationId, messages: 0 });
    expect(await server.store.db.selectFrom('conversations').select('id').where('legacyRef', '=', 'TK-1002').execute()).toEqual([]);
  });

  it('messages written there after the first run go on where the team merged the conversation', async () => {
    const first = await importOne(ticket('1009', { status: 'open' }));
    const into = await createConversation(server.inbox, {
      from: { customerEmail: customer.email },
      channel: 'email',
      subject: 'The same printer',
      body: 'Still smoking',
    });
    await mergeConversations(server.inbox, { source: first.conversationId, into: into.conversation.id, by: { userId: admin.id } });
    const later = ticket('1009', { status: 'open' });
    const reply = { sourceId: '1009-m5', from: { customer: true as const }, body: 'It smokes again', sentAt: T + 90 * MINUTE };
    const again = await importOne({ ...later, messages: [...later.messages, reply] });
    expect(again).toEqual({ outcome: 'updated', conversationId: into.conversation.id, messages: 1 });
    const bodies = (await server.store.db.selectFrom('messages').select('body').where('conversationId', '=', into.conversation.id).execute()).map(
      (m) => m.body,
    );
    expect(bodies).toContain('It smokes again');
    const tombstone = await server.store.db.selectFrom('messages').select('body').where('conversationId', '=', first.conversationId).execute();
    expect(tombstone.map((m) => m.body)).not.toContain('It smokes again');
  });

  it('a record that fails writes nothing of itself, and the next one goes in', async () => {
    const broken = ticket('1003', { assignedTo: 999_999_999 });
    await expect(importOne(broken)).rejects.toThrow();
    expect(await server.store.db.selectFrom('conversations').select('id').where('legacyRef', '=', 'TK-1003').execute()).toEqual([]);
    expect(await server.store.db.selectFrom('import_records').select('sourceId').where('sourceId', 'like', '1003%').execute()).toEqual([]);
    expect((await importOne(ticket('1004'))).outcome).toBe('created');
  });

  it('the runner commits conversations in groups: one the commands refuse is refused alone, dry run or not', async () => {
    // Seven records, the fifth assigned to nobody who exists: its group rolls back and is
    // imported one by one, so only that one is refused.
    const ids = ['2001', '2002', '2003', '2004', '2005', '2006', '2007'];
    const source = (): ImportSource => ({
      name: 'test',
      total: ids.length,
      async *items() {
        for (const id of ids) yield { kind: 'conversation', record: ticket(id, id === '2005' ? { assignedTo: 999_999_999 } : {}) };
      },
      notes: () => [],
      copies: () => 0,
    });
    const legacy = () =>
      server.store.db
        .selectFrom('conversations')
        .select('legacyRef')
        .where(
          'legacyRef',
          'in',
          ids.map((id) => `TK-${id}`),
        )
        .orderBy('legacyRef')
        .execute();
    const progress: number[] = [];
    const dry = await runImport(server.inbox, source(), { dryRun: true });
    expect(await legacy()).toEqual([]);
    const real = await runImport(server.inbox, source(), { onProgress: (p) => progress.push(p.done) });
    for (const report of [dry, real]) {
      expect(report.conversations).toEqual({ created: 6, updated: 0, alreadyImported: 0, refused: 1 });
      expect(report.messages.created).toBe(24);
      expect(report.refused).toEqual([{ sourceId: '2005', reason: expect.stringMatching(/assignee|user/) }]);
    }
    expect((await legacy()).map((r) => r.legacyRef)).toEqual(['TK-2001', 'TK-2002', 'TK-2003', 'TK-2004', 'TK-2006', 'TK-2007']);
    expect(progress.at(-1)).toBe(ids.length);
  });

  it('indexes a group for search before it commits, and leaves search indexing as it was for what comes next', async () => {
    // Groups imported together, one of them rolled back by a refused record (2105): the
    // importer sets SQLite's search triggers aside for each group (store/search-bulk.ts).
    const ids = ['2101', '2102', '2103', '2104', '2105', '2106'];
    const source: ImportSource = {
      name: 'test',
      async *items() {
        for (const id of ids) yield { kind: 'conversation', record: ticket(id, id === '2105' ? { assignedTo: 999_999_999 } : {}) };
      },
      notes: () => [],
      copies: () => 0,
    };
    expect((await runImport(server.inbox, source)).conversations).toEqual({ created: 5, updated: 0, alreadyImported: 0, refused: 1 });
    for (const id of ['2101', '2104', '2106']) {
      const byWords = (await ok(admin, 'GET', `/api/search?q=smoking%20quietly%20${id}`)).items as Json[];
      expect(byWords.map((i) => i.conversation.legacyRef)).toEqual([`TK-${id}`]);
      const bySubject = (await ok(admin, 'GET', `/api/search?q=fire%20${id}`)).items as Json[];
      expect(bySubject.map((i) => i.conversation.legacyRef)).toEqual([`TK-${id}`]);
    }
    expect((await ok(admin, 'GET', '/api/search?q=smoking%20quietly%202105')).items).toEqual([]);
    // What is written after the import is indexed as it is written, as before.
    const live = await createConversation(server.inbox, {
      from: { customerEmail: customer.email },
      customer: { email: customer.email },
      channel: 'ticket',
      subject: 'Toner question',
      body: 'Which toner fits the xylograph printer?',
    });
    const found = (await ok(admin, 'GET', '/api/search?q=xylograph')).items as Json[];
    expect(found.map((i) => i.conversation.id)).toEqual([live.conversation.id]);
    if (server.store.dialect === 'sqlite') {
      // FTS5 compares each index with the rows it indexes, and throws if they differ.
      for (const fts of ['messages_fts', 'conversations_fts']) {
        await sql`insert into ${sql.table(fts)}(${sql.id(fts)}, rank) values ('integrity-check', 1)`.execute(server.store.db);
      }
    }
  });

  it('refuses a conversation that opens with a note, and a legacy reference outside an import', async () => {
    const noteFirst = ticket('1005');
    await expect(importOne({ ...noteFirst, messages: [{ ...noteFirst.messages[2]! }, ...noteFirst.messages.slice(0, 2)] })).rejects.toThrow(/internal note/);
    await expect(
      createConversation(server.inbox, { from: { customerEmail: 'x@example.org' }, channel: 'ticket', subject: 'Hi', body: 'Hi', legacyRef: 'TK-9' }),
    ).rejects.toThrow(/legacy reference/);
    // And through the API nobody can pass one.
    const res = await call(server, customer, 'POST', '/api/conversations', { channel: 'ticket', subject: 'Hi', body: 'Hi', legacyRef: 'TK-9' });
    expect(res.status).toBe(400);
  });
});
