import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, createUser, getUserByEmail } from '../src/accounts/index.js';
import { agentsOf } from '../src/import/agents.js';
import { type ImportReport, runImport } from '../src/import/run.js';
import { ZendeskClient } from '../src/import/zendesk/client.js';
import { zendeskFiles } from '../src/import/zendesk/files.js';
import { apiReader, fileReader } from '../src/import/zendesk/reader.js';
import { zendeskSource } from '../src/import/zendesk/source.js';
import { openStore } from '../src/store/database.js';
import { findInbound } from '../src/store/email.js';
import { findImportedId, findImportedMessagesOf } from '../src/store/imports.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { rawMail, SUPPORT, useEmailChannel } from './support/email.js';
import { runScript } from './support/run.js';
import { countRows, makeDatabaseEnv } from './support/store.js';
import { startZendeskServer, ZD_EMAIL, ZD_TOKEN, type ZendeskServer, type ZendeskWorld, zendeskWorld } from './support/zendesk-server.js';

// Issue 20 "Zendesk": an account's tickets through its API — the cursor export in pages,
// comments in bulk from the ticket events (a ticket missing there read on its own), a 429
// with Retry-After every fourth request, an attachment failing twice with 503, an inline
// image, a deleted ticket, a requester without an address — into one conversation each,
// mapped as the issue says, files byte for byte; a second run adds nothing; and a reply to
// an old Zendesk mail threads into its imported conversation.

const TICKETS = 2000;
/** Fast for the test; Zendesk's own limit is 10 (the command's default). */
const PER_MINUTE = 120;

const mail = useEmailChannel({ config: { smtpListenPort: null }, attachments: true });
let world: ZendeskWorld;
let zendesk: ZendeskServer;

beforeAll(async () => {
  world = zendeskWorld(TICKETS);
  zendesk = await startZendeskServer(world);
});
afterAll(() => zendesk?.close());

/** Each run's progress total, as the source gave it. */
const totals: (number | undefined)[] = [];

async function importZendesk(options: { dryRun?: boolean; server?: ZendeskServer; name?: string; file?: string; users?: string } = {}): Promise<ImportReport> {
  const server = options.server ?? zendesk;
  const name = options.name ?? 'zendesk:acme.zendesk.com';
  const client = new ZendeskClient({ url: server.url, email: ZD_EMAIL, token: ZD_TOKEN, incrementalPerMinute: PER_MINUTE, backoffMs: 50 });
  const source = await zendeskSource({
    name,
    reader: options.file ? fileReader(options.file, { users: options.users }) : apiReader(client),
    agentFor: agentsOf(accountsContext(mail.store), options.dryRun ?? false),
    importedOf: (ticket, comments) => findImportedMessagesOf(mail.store.db, name, ticket, comments),
    storeFile: zendeskFiles(client, mail.storage!),
  });
  totals.push(source.total);
  try {
    return await runImport(mail.ctx, source, { dryRun: options.dryRun });
  } finally {
    source.close();
  }
}

const count = (table: 'conversations' | 'messages' | 'outbox' | 'notifications' | 'users' | 'attachments' | 'teams' | 'csat_surveys') =>
  countRows(mail.store, table);

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const conversationOf = (ticket: number) =>
  mail.store.db.selectFrom('conversations').selectAll().where('legacyRef', '=', String(ticket)).executeTakeFirstOrThrow();

describe('importing a Zendesk account through its API', () => {
  it('2,000 tickets in cursor pages, politely; mapped; files byte for byte; again: nothing new; an old mail’s reply threads in', async () => {
    const accounts = accountsContext(mail.store);
    // Agent 0 has an account here; agents 1 and 2 get one, switched off.
    const agent0 = await createUser(accounts, { name: 'Agent Zero', email: world.agents[0]!.email, role: 'admin', password: null });
    const tickets = world.tickets.filter((t) => t.status !== 'deleted');
    const expectedMessages = tickets.reduce((n, t) => n + world.comments.get(t.id)!.length, 0);

    const started = Date.now();
    const report = await importZendesk();
    console.log(`[import-zendesk] ${TICKETS} tickets imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(report.refused).toEqual([]);
    expect(report.conversations).toEqual({ created: TICKETS, updated: 0, alreadyImported: 0, refused: 0 });
    expect(report.messages).toEqual({ created: expectedMessages, skippedAsDuplicate: 0, refused: 0 });
    // The bar's total: Zendesk's ticket count.
    expect(totals.at(-1)).toBe(TICKETS);
    expect(report.notes).toContain(`1 deleted tickets skipped: ${world.special.deleted}`);
    expect(report.notes).toContain('requesters without an address were given one like zendesk-user-1007@no-email.invalid');
    expect(await count('conversations')).toBe(TICKETS);
    expect(await count('messages')).toBe(expectedMessages);
    // History notifies and mails nobody.
    expect(await count('outbox')).toBe(0);
    expect(await count('notifications')).toBe(0);

    // Polite: every 429 waited its Retry-After; the incremental exports stayed within their rate.
    // The importer asks one thing at a time: the request after a 429 is its retry.
    const { requests } = zendesk;
    const rateLimited = requests.flatMap((r, i) => (r.status === 429 && requests[i + 1] ? [{ limited: r, retry: requests[i + 1]! }] : []));
    expect(rateLimited.length).toBeGreaterThan(3);
    for (const { limited, retry } of rateLimited) {
      expect(retry.path).toBe(limited.path);
      expect(retry.at - limited.at).toBeGreaterThanOrEqual(975);
    }
    // Timed on arrival here, in the importer's own process: a busy moment may delay one arrival a little.
    const incremental = zendesk.requests.filter((r) => r.path.includes('/incremental/')).map((r) => r.at);
    for (let i = 1; i < incremental.length; i++) expect(incremental[i]! - incremental[i - 1]!).toBeGreaterThanOrEqual(60_000 / PER_MINUTE - 100);
    expect(incremental.at(-1)! - incremental[0]!).toBeGreaterThanOrEqual((incremental.length - 1) * (60_000 / PER_MINUTE) - 100);
    expect(zendesk.requests.filter((r) => r.path === '/api/v2/incremental/tickets/cursor.json' && r.status === 200)).toHaveLength(3);

    // The mapping, one ticket of each status, priority and channel.
    const statuses = { new: 'open', open: 'open', pending: 'pending', hold: 'pending', solved: 'resolved', closed: 'closed' } as const;
    const channels = { email: 'email', web: 'ticket', chat: 'chatbot', api: 'ticket', messaging: 'chatbot' } as const;
    for (const ticket of tickets.slice(20, 50)) {
      const row = await conversationOf(ticket.id);
      expect({ id: ticket.id, status: row.status, priority: row.priority, channel: row.channel, subject: row.subject }).toEqual({
        id: ticket.id,
        status: statuses[ticket.status as keyof typeof statuses],
        priority: ticket.priority ?? 'normal',
        channel: channels[ticket.via!.channel as keyof typeof channels],
        subject: ticket.subject,
      });
      expect(JSON.parse(row.tags)).toEqual(expect.arrayContaining([...ticket.tags!, ticket.type!]));
    }

    // Tags within this side's limits: a colon becomes a dash, the first 20 are kept.
    const tagged = JSON.parse((await conversationOf(14)).tags) as string[];
    expect(tagged).toHaveLength(20);
    expect(tagged).toEqual(expect.arrayContaining(['question', 'vip-gold', 'extra_0']));
    expect(report.notes).toContain('tickets with more than 20 tags or tags longer than 50 characters kept the first that fit');

    // Authors: the requester's public comments are the customer's, agents' the team's, private ones notes.
    const sample = await conversationOf(25);
    const messages = await mail.store.db.selectFrom('messages').selectAll().where('conversationId', '=', sample.id).orderBy('id').execute();
    expect(messages.map((m) => [m.senderType, m.isInternal, m.body])).toEqual([
      ['customer', 0, 'Ticket 25, comment 0'],
      ['admin', 0, 'Ticket 25, comment 1'],
      ['admin', 1, 'Note on ticket 25'],
    ]);
    expect(sample.customerEmail).toBe('customer25@example.org');
    // Agent 1 (ticket 25's) was made here, switched off; such tickets stay unassigned. Agent 0's are assigned.
    const agent1 = (await getUserByEmail(accounts, world.agents[1]!.email))!;
    expect(agent1).toMatchObject({ role: 'agent', deactivatedAt: expect.any(Number) });
    expect(Number(messages[1]!.senderId)).toBe(agent1.id);
    expect(sample.assignedTo).toBeNull();
    expect(Number((await conversationOf(24)).assignedTo)).toBe(agent0.id);
    // Groups are teams, organizations the customer's company, custom fields kept, ratings CSAT answers.
    const team = await mail.store.db.selectFrom('teams').select(['id', 'name']).where('id', '=', Number(sample.teamId)).executeTakeFirstOrThrow();
    expect(team.name).toBe('Support');
    expect(JSON.parse((await conversationOf(24)).customFields!)).toEqual({ 'Order number': 'ORD-24' });
    expect(sample.customFields).toBeNull();
    const customer = await mail.store.db.selectFrom('users').select('company').where('email', '=', 'customer24@example.org').executeTakeFirstOrThrow();
    expect(customer.company).toBe('Globex');
    // Ticket 28: solved, rated bad with a comment.
    const rated = await mail.store.db
      .selectFrom('csat_surveys')
      .select(['rating', 'comment', 'sentVia'])
      .where('conversationId', '=', (await conversationOf(28)).id)
      .execute();
    expect(rated).toEqual([{ rating: 1, comment: 'Slow', sentVia: 'import' }]);

    // The ticket of 300 comments, which the bulk stream lacked, read on its own.
    expect(Number((await conversationOf(world.special.longThread)).messageCount)).toBe(300);
    expect(zendesk.requests.filter((r) => r.path === `/api/v2/tickets/${world.special.longThread}/comments.json` && r.status === 200)).toHaveLength(3);
    // The requester without an address.
    expect((await conversationOf(world.special.noEmail)).customerEmail).toBe('zendesk-user-1007@no-email.invalid');

    // Files: the one that failed twice with 503, and the inline image, byte for byte; the image's src is its stored copy.
    for (const [ticket, name] of [
      [world.special.attachment, 'invoice.pdf'],
      [world.special.inlineImage, 'screen.png'],
    ] as const) {
      const bytes = world.files.get(name)!;
      const row = await mail.store.db
        .selectFrom('attachments')
        .select(['name', 'sha256', 'size'])
        .where('conversationId', '=', (await conversationOf(ticket)).id)
        .executeTakeFirstOrThrow();
      expect({ ...row, size: Number(row.size) }).toEqual({ name, sha256: sha(bytes), size: bytes.length });
      const chunks: Buffer[] = [];
      for await (const chunk of (await mail.storage!.open(sha(bytes)))!.stream) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    }
    expect(zendesk.requests.filter((r) => r.path.endsWith('invoice.pdf') && r.status !== 429).map((r) => r.status)).toEqual([503, 503, 200]);
    const inline = await mail.store.db
      .selectFrom('messages')
      .select('htmlBody')
      .where('conversationId', '=', (await conversationOf(world.special.inlineImage)).id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(inline.htmlBody).toContain(`data-ot-attachment="${sha(world.files.get('screen.png')!)}"`);
    expect(inline.htmlBody).not.toContain('/attachments/token/');

    // Again: nothing new.
    const users = await count('users');
    const asked = zendesk.requests.length;
    const again = await importZendesk();
    // Nothing downloaded again: the files of imported tickets are not fetched.
    expect(zendesk.requests.slice(asked).filter((r) => r.path.startsWith('/attachments/'))).toEqual([]);
    expect(again.conversations).toEqual({ created: 0, updated: 0, alreadyImported: TICKETS, refused: 0 });
    expect(again.messages.created).toBe(0);
    expect(await count('conversations')).toBe(TICKETS);
    expect(await count('messages')).toBe(expectedMessages);
    expect(await count('users')).toBe(users);

    // A customer answers an old Zendesk mail after the move: it lands in the imported conversation.
    const emailTicket = tickets.find((t) => t.via?.channel === 'email' && t.status === 'open')!;
    const requester = world.users.find((u) => u.id === emailTicket.requester_id)!;
    const agentMail = world.comments.get(emailTicket.id)![1]!.metadata!.system!.message_id!;
    const accepted = await mail.channel.pipeline.accept(
      [rawMail({ from: requester.email!, subject: `Re: ${emailTicket.subject}`, inReplyTo: agentMail.slice(1, -1), body: 'Still broken, sorry.' })],
      { from: requester.email!, to: [SUPPORT] },
      'smtp',
    );
    expect(accepted.status).toBe('accepted');
    await mail.channel.pipeline.idle();
    const inbound = await findInbound(mail.store.db, (accepted as { id: number }).id);
    expect(inbound?.conversationId).toBe(Number((await conversationOf(emailTicket.id)).id));
  }, 300_000);

  it('a dry run writes nothing, not even the agents’ accounts, and reports what the real run then does', async () => {
    const small = zendeskWorld(30, 'beta.example');
    const server = await startZendeskServer(small, { ticketPage: 10, eventPage: 20 });
    try {
      const tables = ['conversations', 'messages', 'users', 'attachments', 'teams', 'csat_surveys'] as const;
      const counts = async () => Promise.all(tables.map((t) => count(t)));
      const before = await counts();
      const dry = await importZendesk({ dryRun: true, server, name: 'zendesk:beta.zendesk.com' });
      expect(await counts()).toEqual(before);
      expect(await getUserByEmail(accountsContext(mail.store), small.agents[1]!.email)).toBeNull();
      const real = await importZendesk({ server, name: 'zendesk:beta.zendesk.com' });
      expect(real.conversations).toEqual({ created: 30, updated: 0, alreadyImported: 0, refused: 0 });
      expect({ ...dry, dryRun: false }).toEqual(real);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('a later run adds the comments written since to the imported tickets, with their files, and follows their status', async () => {
    const small = zendeskWorld(12, 'eta.example');
    const name = 'zendesk:eta.zendesk.com';
    const first = await startZendeskServer(small);
    try {
      expect((await importZendesk({ server: first, name })).conversations).toEqual({ created: 12, updated: 0, alreadyImported: 0, refused: 0 });
    } finally {
      await first.close();
    }
    // Ticket 2 of this account (other tests' accounts have a ticket 2 too).
    const id = await findImportedId(mail.store.db, { source: name, kind: 'conversation', sourceId: 'ticket:2' });
    const ticket2 = () => mail.store.db.selectFrom('conversations').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    const before = await ticket2();
    // Meanwhile in Zendesk: the customer of ticket 2 writes again, with a file, and the agent puts it on hold.
    const ticket = small.tickets.find((t) => t.id === 2)!;
    const comments = small.comments.get(2)!;
    const written = Date.parse(comments.at(-1)!.created_at) + 86_400_000;
    small.files.set('later.pdf', Buffer.from('%PDF-1.4\nlater'));
    comments.push({
      ...comments[0]!,
      id: 999_001,
      body: 'Any news?',
      plain_body: 'Any news?',
      html_body: '<p>Any news?</p>',
      created_at: new Date(written).toISOString(),
      attachments: [{ id: 79, file_name: 'later.pdf', content_url: '/attachments/token/later.pdf', content_type: 'application/pdf', size: 0 }],
    });
    ticket.status = 'hold';
    // And an agent leaves a private note on ticket 4, which was solved.
    const notes = small.comments.get(4)!;
    const agentComment = notes.find((c) => c.author_id === small.tickets.find((t) => t.id === 4)!.assignee_id)!;
    notes.push({
      ...agentComment,
      id: 999_002,
      body: 'Checked again',
      plain_body: 'Checked again',
      html_body: null,
      public: false,
      created_at: new Date(written).toISOString(),
    });
    const second = await startZendeskServer(small);
    try {
      const report = await importZendesk({ server: second, name });
      expect(report.conversations).toEqual({ created: 0, updated: 2, alreadyImported: 10, refused: 0 });
      expect(report.messages.created).toBe(2);
      expect(report.refused).toEqual([]);
      // Only the new comment's file was fetched.
      expect(second.requests.filter((r) => r.path.startsWith('/attachments/') && r.status === 200).map((r) => r.path)).toEqual([
        '/attachments/token/later.pdf',
      ]);
    } finally {
      await second.close();
    }
    const after = await ticket2();
    expect(after.status).toBe('pending');
    expect(after.messageCount).toBe(before.messageCount + 1);
    expect(after.lastMessageAt).toBe(written);
    const last = await mail.store.db
      .selectFrom('messages')
      .select(['id', 'body', 'senderType', 'sentAt'])
      .where('conversationId', '=', after.id)
      .orderBy('sentAt', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({ body: 'Any news?', senderType: 'customer', sentAt: written });
    const files = await mail.store.db.selectFrom('attachments').select('sha256').where('messageId', '=', last.id).execute();
    expect(files.map((f) => f.sha256)).toEqual([sha(small.files.get('later.pdf')!)]);
    const four = await findImportedId(mail.store.db, { source: name, kind: 'conversation', sourceId: 'ticket:4' });
    const note = await mail.store.db
      .selectFrom('messages')
      .select(['body', 'isInternal', 'senderType'])
      .where('conversationId', '=', four!)
      .orderBy('sentAt', 'desc')
      .executeTakeFirstOrThrow();
    expect({ ...note, isInternal: Boolean(note.isInternal) }).toEqual({ body: 'Checked again', isInternal: true, senderType: 'admin' });
    expect((await mail.store.db.selectFrom('conversations').select('status').where('id', '=', four!).executeTakeFirstOrThrow()).status).toBe('resolved');
    // Once added, the comments are not added again.
    const third = await startZendeskServer(small);
    try {
      expect((await importZendesk({ server: third, name })).conversations).toEqual({ created: 0, updated: 0, alreadyImported: 12, refused: 0 });
    } finally {
      await third.close();
    }
  }, 120_000);

  it('onethread import zendesk: a dry run with a JSON report, the import, and what a wrong call lacks', async () => {
    const small = zendeskWorld(12, 'gamma.example');
    const server = await startZendeskServer(small);
    const db = await makeDatabaseEnv();
    const store = openStore({ databaseUrl: db.env.DATABASE_URL || null, dataDir: db.env.DATA_DIR ?? '' });
    try {
      await migrateToLatest(store);
      await createUser(accountsContext(store), { name: 'Admin', email: 'boss@gamma.example', role: 'admin', password: null });
      const args = ['import', 'zendesk', '--url', server.url, '--email', ZD_EMAIL, '--token', ZD_TOKEN, '--rate', '600'];
      const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'zendesk-report-')), 'report.json');
      const dry = await runScript('src/cli.ts', [...args, '--dry-run', '--report', reportFile], db.env, 120_000);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`dry run (nothing written): zendesk:${new URL(server.url).host}`);
      expect(dry.stdout).toContain('conversations: 12 created, 0 given later messages, 0 already imported, 0 refused');
      expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toMatchObject({ dryRun: true, conversations: { created: 12 } });
      const real = await runScript('src/cli.ts', args, db.env, 120_000);
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toContain('conversations: 12 created, 0 given later messages, 0 already imported, 0 refused');
      expect(real.stdout).toContain('note: 1 deleted tickets skipped: 13');
      const stored = await store.db.selectFrom('attachments').select('sha256').execute();
      expect(stored).toHaveLength(2);

      const wrong = await runScript('src/cli.ts', ['import', 'zendesk', '--url', server.url], db.env);
      expect(wrong).toMatchObject({
        code: 1,
        stderr: 'onethread: give the account: onethread import zendesk --url https://SUB.zendesk.com --email EMAIL --token TOKEN (or --file EXPORT.json)\n',
      });
    } finally {
      await store.close();
      await db.cleanup();
      await server.close();
    }
  }, 240_000);

  it('--file: a JSON export, tickets with their comments, goes in the same way (files still downloaded)', async () => {
    const small = zendeskWorld(15, 'delta.example');
    const server = await startZendeskServer(small);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zendesk-export-'));
    const tickets = small.tickets.map((t) => ({ ...t, comments: small.comments.get(t.id) }));
    const whole = path.join(dir, 'export.json');
    writeFileSync(
      whole,
      JSON.stringify({
        users: small.users,
        groups: [{ id: 31, name: 'Billing' }],
        organizations: [],
        ticket_fields: [{ id: 41, title: 'Order number' }],
        tickets,
      }),
    );
    // Zendesk's own form: one ticket a line (no users: the requesters' tickets still go in, addresses made up).
    const lines = path.join(dir, 'tickets.json');
    writeFileSync(lines, tickets.map((t) => JSON.stringify({ ...t, id: t.id + 10_000 })).join('\n'));
    try {
      const report = await importZendesk({ server, name: 'zendesk:delta-export', file: whole });
      expect(report.conversations).toEqual({ created: 15, updated: 0, alreadyImported: 0, refused: 0 });
      expect(report.refused).toEqual([]);
      const thread = await mail.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where(
          'conversationId',
          '=',
          (await mail.store.db.selectFrom('conversations').select('id').where('legacyRef', '=', '13').orderBy('id', 'desc').executeTakeFirstOrThrow()).id,
        )
        .executeTakeFirstOrThrow();
      expect(Number(thread.n)).toBe(300);
      expect(totals.at(-1)).toBe(15);
      const perLine = await importZendesk({ server, name: 'zendesk:delta-lines', file: lines });
      // Without the users, agents are not known as such: their comments are the customer's, private ones refused.
      expect(perLine.conversations).toEqual({ created: 15, updated: 0, alreadyImported: 0, refused: 0 });
      // Lines are counted, not read: the deleted ticket's too.
      expect(totals.at(-1)).toBe(16);
      expect(perLine.refused.length).toBeGreaterThan(0);
      // With Zendesk's users export beside it (one user a line, as Zendesk writes it), they are.
      const users = path.join(dir, 'users.json');
      writeFileSync(users, small.users.map((u) => JSON.stringify(u)).join('\n'));
      writeFileSync(lines, tickets.map((t) => JSON.stringify({ ...t, id: t.id + 20_000 })).join('\n'));
      const withUsers = await importZendesk({ server, name: 'zendesk:delta-users', file: lines, users });
      expect(withUsers.conversations).toEqual({ created: 15, updated: 0, alreadyImported: 0, refused: 0 });
      expect(withUsers.refused).toEqual([]);
      const replies = await mail.store.db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversationId')
        .select(['messages.senderType', 'messages.senderEmail'])
        .where('conversations.legacyRef', '=', '20001')
        .execute();
      expect(replies.filter((m) => m.senderType === 'admin').length).toBeGreaterThan(0);
      for (const reply of replies.filter((m) => m.senderType === 'admin')) expect(reply.senderEmail).toMatch(/@delta\.example$/);
      // Not an export: said in one line, nothing written.
      writeFileSync(lines, '{"tickets": "none"}\nnot json');
      await expect(importZendesk({ server, name: 'zendesk:delta-lines', file: lines })).rejects.toThrow(/line 2: not JSON/);
    } finally {
      await server.close();
    }
  }, 120_000);
});
