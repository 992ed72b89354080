import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A legacy app's Convex export in the exact `npx convex export` layout (issue 20's tests):
// `_tables/documents.jsonl`, one folder per table with `documents.jsonl` (`_id`,
// `_creationTime` in ms, an Int64 as a decimal string), a `generated_schema.jsonl` sidecar
// for one table, a `_components` folder to ignore. Tickets with their messages; inbox rows
// that copy ticket messages (by reference, or by sender and text a second later); genuine
// chat and email threads; senders named "Unknown" that the users table names.

export type ConvexFixture = {
  dir: string;
  agents: { email: string; name: string }[];
  expected: { tickets: number; ticketMessages: number; threads: number; threadMessages: number; copies: number; activeTickets: number };
  /** The first ticket's messages as the import must keep them: author, text, time. */
  firstTicket: { subject: string; number: string; messages: { admin: boolean; body: string; at: number }[] };
};

const T0 = Date.UTC(2025, 0, 6, 9, 0);
const MINUTE = 60_000;
const STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed', 'escalated'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];

/** Files of the export: `good` on the first ticket's first two messages, `bad` (bytes that differ from the listed hash) on the second ticket's first. */
export type FixtureFiles = { good: { id: string; name: string; bytes: Buffer }[]; bad: { id: string } };

export function writeConvexFixture(options: {
  tickets: number;
  messagesPerTicket: number;
  threads: number;
  fields?: 'default' | 'other';
  files?: boolean;
}): ConvexFixture & { files: FixtureFiles | null } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convex-export-'));
  const other = options.fields === 'other';
  const tables: Record<string, object[]> = { users: [], support_tickets: [], ticket_messages: [], inbox_messages: [] };
  // Ids and agents unique across fixtures, as across the exports of different apps.
  const tag = Math.random().toString(36).slice(2, 8);
  const agents = [0, 1, 2].map((i) => ({ id: `u_agent${i}`, email: `agent${i}-${tag}@legacy.test`, name: `Agent ${i}` }));
  for (const a of agents) tables.users!.push({ _id: a.id, _creationTime: T0 - 10 * MINUTE, name: a.name, email: a.email, role: 'admin' });
  let id = 0;
  const next = (prefix: string) => `${prefix}${tag}${(++id).toString(36)}`;
  let copies = 0;
  let activeTickets = 0;
  const files: FixtureFiles | null = options.files
    ? {
        good: [
          { id: next('kg'), name: 'invoice.pdf', bytes: Buffer.from(`%PDF-1.4 invoice ${'x'.repeat(3000)}`) },
          {
            id: next('kg'),
            name: 'photo.png',
            bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 500 }, (_, i) => i % 256)]),
          },
        ],
        bad: { id: next('kg') },
      }
    : null;
  let firstTicket: ConvexFixture['firstTicket'] | null = null;

  for (let t = 0; t < options.tickets; t++) {
    const customer = { id: `u_c${tag}${t}`, email: `customer${t}-${process.pid}@example.org`, name: t % 7 === 0 ? 'Unknown' : `Customer ${t}` };
    // A customer the users table names while their rows say "Unknown".
    tables.users!.push({ _id: customer.id, _creationTime: T0, name: `Customer ${t}`, email: customer.email, role: 'user' });
    const created = T0 + t * 30 * MINUTE;
    const ticketId = next('tk');
    const status = STATUSES[t % STATUSES.length]!;
    if (status === 'open' || status === 'in_progress' || status === 'waiting' || status === 'escalated') activeTickets++;
    const subject = `Order ${t} problem`;
    tables.support_tickets!.push(
      other
        ? {
            _id: ticketId,
            _creationTime: created,
            headline: subject,
            details: `Details of order ${t}`,
            owner: customer.id,
            state: status,
            urgency: PRIORITIES[t % 4],
            ref: `L-${1000 + t}`,
          }
        : {
            _id: ticketId,
            _creationTime: created,
            subject,
            description: `Details of order ${t}`,
            userId: customer.id,
            status,
            priority: PRIORITIES[t % 4],
            ticketNumber: String(1000 + t),
            // Every ticket but every fifth is assigned to an agent of the legacy app.
            ...(t % 5 !== 4 && { assignedTo: agents[t % agents.length]!.id }),
          },
    );
    const messages: { admin: boolean; body: string; at: number }[] = [{ admin: false, body: `Details of order ${t}`, at: created }];
    for (let m = 0; m < options.messagesPerTicket; m++) {
      const admin = m % 2 === 1;
      const agent = agents[t % agents.length]!;
      const at = created + (m + 1) * MINUTE;
      const body = admin ? `Answer ${m} on order ${t}` : `Question ${m} about order ${t}`;
      const messageId = next('tm');
      const sender = admin ? agent : customer;
      const attachments = !files
        ? undefined
        : t === 0 && m === 0
          ? [files.good[0]!.id]
          : t === 0 && m === 1
            ? [{ storageId: files.good[1]!.id, name: files.good[1]!.name }]
            : t === 1 && m === 0
              ? [files.bad.id]
              : undefined;
      tables.ticket_messages!.push(
        other
          ? {
              _id: messageId,
              _creationTime: at,
              parent: ticketId,
              author: sender.id,
              byStaff: admin,
              note: false,
              words: body,
              who: admin ? agent.name : customer.name,
            }
          : {
              _id: messageId,
              _creationTime: at,
              ticketId,
              userId: sender.id,
              isAdmin: admin,
              isInternal: false,
              content: body,
              senderName: admin ? agent.name : 'Unknown',
              senderEmail: admin ? agent.email : '',
              createdAt: String(at),
              ...(attachments && { attachments }),
            },
      );
      messages.push({ admin, body, at });
      // Most ticket messages were copied into inbox_messages (all but the last, which every
      // second ticket's copy has too): by reference, or (every fourth) only by sender and text, a second later.
      if ((m < options.messagesPerTicket - 1 || t % 2 === 0) && !other) {
        copies++;
        tables.inbox_messages!.push(
          m % 4 === 3
            ? {
                _id: next('im'),
                _creationTime: at + 1000,
                userId: sender.id,
                senderEmail: admin ? agent.email : customer.email,
                isAdmin: admin,
                content: ` ${body.toUpperCase()}! `,
                channel: 'chat',
                sessionId: `copy-${messageId}`,
              }
            : { _id: next('im'), _creationTime: at + 1000, ticketId, userId: sender.id, isAdmin: admin, content: body, channel: 'ticket' },
        );
      }
    }
    if (t === 0) firstTicket = { subject, number: other ? 'L-1000' : '1000', messages };
  }
  let threadMessages = 0;
  for (let h = 0; h < (other ? 0 : options.threads); h++) {
    const email = `visitor${h}-${process.pid}@example.net`;
    const channel = h % 2 === 0 ? 'chat' : 'email';
    const thread = `thread-${tag}-${h}`;
    for (let m = 0; m < 3; m++) {
      const admin = m === 1;
      const agent = agents[h % agents.length]!;
      const at = T0 + h * 45 * MINUTE + m * 2 * MINUTE;
      tables.inbox_messages!.push({
        _id: next('im'),
        _creationTime: at,
        threadId: thread,
        channel,
        isAdmin: admin,
        senderName: admin ? agent.name : m === 0 ? `Visitor ${h}` : 'Unknown',
        senderEmail: admin ? agent.email : email,
        content: admin ? `Happy to help with thread ${h}` : `Thread ${h} message ${m}`,
        subject: channel === 'email' ? `Mail thread ${h}` : '',
      });
      threadMessages++;
    }
  }

  mkdirSync(path.join(dir, '_tables'), { recursive: true });
  const names = Object.keys(tables);
  writeFileSync(path.join(dir, '_tables', 'documents.jsonl'), `${names.map((name, i) => JSON.stringify({ name, id: i + 10001 })).join('\n')}\n`);
  for (const name of names) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'documents.jsonl'), `${tables[name]!.map((d) => JSON.stringify(d)).join('\n')}\n`);
  }
  writeFileSync(path.join(dir, 'support_tickets', 'generated_schema.jsonl'), `${JSON.stringify({ subject: 'string', _creationTime: 'number' })}\n`);
  if (files) {
    // Convex lists each file's SHA-256 in base64; the bytes sit beside the list (one with an extension).
    mkdirSync(path.join(dir, '_storage'));
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');
    const badBytes = Buffer.from('these bytes are not the ones listed');
    const listed = [
      ...files.good.map((f) => ({
        _id: f.id,
        _creationTime: T0,
        sha256: sha(f.bytes),
        size: f.bytes.length,
        contentType: f.name.endsWith('.png') ? 'image/png' : 'application/pdf',
      })),
      { _id: files.bad.id, _creationTime: T0, sha256: sha(Buffer.from('the listed bytes')), size: 16, contentType: 'text/plain' },
    ];
    writeFileSync(path.join(dir, '_storage', 'documents.jsonl'), `${listed.map((d) => JSON.stringify(d)).join('\n')}\n`);
    writeFileSync(path.join(dir, '_storage', files.good[0]!.id), files.good[0]!.bytes);
    writeFileSync(path.join(dir, '_storage', `${files.good[1]!.id}.png`), files.good[1]!.bytes);
    writeFileSync(path.join(dir, '_storage', files.bad.id), badBytes);
  }
  mkdirSync(path.join(dir, '_components', 'auth', 'sessions'), { recursive: true });
  writeFileSync(path.join(dir, '_components', 'auth', 'sessions', 'documents.jsonl'), `${JSON.stringify({ _id: 's1', token: 'x' })}\n`);
  return {
    dir,
    agents,
    expected: {
      tickets: options.tickets,
      ticketMessages: options.tickets * (options.messagesPerTicket + 1),
      threads: other ? 0 : options.threads,
      threadMessages,
      copies,
      activeTickets,
    },
    firstTicket: firstTicket!,
    files,
  };
}

/** The same export as a ZIP under one top folder, as `npx convex export` downloads it. */
export function zipConvexFixture(dir: string): string {
  const zip = path.join(mkdtempSync(path.join(os.tmpdir(), 'convex-zip-')), 'snapshot.zip');
  const script = 'import sys, shutil; shutil.make_archive(sys.argv[1][:-4], "zip", root_dir=sys.argv[2], base_dir=sys.argv[3])';
  execFileSync('python3', ['-c', script, zip, path.dirname(dir), path.basename(dir)]);
  return zip;
}
