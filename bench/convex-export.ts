import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

// A legacy app's Convex export at benchmark size (issue 20's `bench:import`), in the layout
// `npx convex export` writes and the test fixture (test/support/convex-fixture.ts) uses,
// written line by line so that a million rows never sit in memory. Per ticket: the ticket,
// `messagesPerTicket` ticket messages (customer and agent in turn; customers' rows say
// "Unknown" and leave the address empty, as in the design's legacy app) and one inbox row
// copying a ticket message. Then chat and email threads of three inbox rows each.

export type GeneratedExport = { tickets: number; messages: number; copies: number; threads: number; bytes: number };

const T0 = Date.UTC(2024, 0, 1, 8, 0);
const MINUTE = 60_000;
const STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed', 'closed', 'resolved', 'closed'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const WORDS = 'order invoice refund delivery password account shipping login export billing plan upgrade'.split(' ');

/** Buffers lines and writes them in blocks: one syscall per ~1 MB, not per row. */
class JsonLines {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'w');
  }
  add(doc: object): void {
    const line = `${JSON.stringify(doc)}\n`;
    this.chunks.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) this.flush();
  }
  private flush(): void {
    const block = this.chunks.join('');
    this.bytes += writeSync(this.fd, block);
    this.chunks = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** `messages`: stored messages the import should create (ticket descriptions included); copies are extra rows. */
export function writeConvexExport(dir: string, options: { tickets: number; messagesPerTicket: number; threads: number; agents?: number }): GeneratedExport {
  const table = (name: string) => new JsonLines(path.join(dir, name, 'documents.jsonl'));
  const users = table('users');
  const tickets = table('support_tickets');
  const ticketMessages = table('ticket_messages');
  const inbox = table('inbox_messages');
  const agents = Array.from({ length: options.agents ?? 20 }, (_, i) => ({ id: `agent${i}`, email: `agent${i}@legacy.bench`, name: `Agent ${i}` }));
  for (const a of agents) users.add({ _id: a.id, _creationTime: T0, name: a.name, email: a.email, role: 'admin' });
  // Two tickets per customer on average: the import finds the customer again.
  const customers = Math.max(1, Math.ceil(options.tickets / 2));
  for (let c = 0; c < customers; c++) users.add({ _id: `cust${c}`, _creationTime: T0, name: `Customer ${c}`, email: `customer${c}@example.org`, role: 'user' });
  let copies = 0;
  for (let t = 0; t < options.tickets; t++) {
    const customer = `cust${t % customers}`;
    const agent = agents[t % agents.length]!;
    const created = T0 + t * MINUTE;
    const id = `tk${t}`;
    const word = WORDS[t % WORDS.length]!;
    tickets.add({
      _id: id,
      _creationTime: created,
      subject: `${word} question ${t}`,
      description: `Hello, I have a question about my ${word} (ticket ${t}).`,
      userId: customer,
      status: STATUSES[t % STATUSES.length],
      priority: PRIORITIES[t % PRIORITIES.length],
      ticketNumber: String(10_000 + t),
      assignedTo: agent.id,
    });
    for (let m = 0; m < options.messagesPerTicket; m++) {
      const admin = m % 2 === 1;
      const at = created + (m + 1) * 7 * MINUTE;
      const body = admin ? `Thanks, agent ${agent.name} here about your ${word}: step ${m}.` : `Still stuck with the ${word}, try ${m} on ticket ${t}.`;
      ticketMessages.add({
        _id: `tm${t}_${m}`,
        _creationTime: at,
        ticketId: id,
        userId: admin ? agent.id : customer,
        isAdmin: admin,
        isInternal: false,
        content: body,
        senderName: admin ? agent.name : 'Unknown',
        senderEmail: admin ? agent.email : '',
        createdAt: String(at),
      });
      if (m === 0) {
        copies++;
        inbox.add({ _id: `ic${t}`, _creationTime: at + 1000, ticketId: id, userId: customer, isAdmin: false, content: body, channel: 'ticket' });
      }
    }
  }
  for (let h = 0; h < options.threads; h++) {
    const channel = h % 2 === 0 ? 'chat' : 'email';
    const agent = agents[h % agents.length]!;
    const email = `visitor${h}@example.net`;
    for (let m = 0; m < 3; m++) {
      const admin = m === 1;
      inbox.add({
        _id: `th${h}_${m}`,
        _creationTime: T0 + h * MINUTE + m * 2 * MINUTE,
        threadId: `thread-${h}`,
        channel,
        isAdmin: admin,
        senderName: admin ? agent.name : m === 0 ? `Visitor ${h}` : 'Unknown',
        senderEmail: admin ? agent.email : email,
        content: admin ? `Happy to help with thread ${h}.` : `Thread ${h}, message ${m}: about my ${WORDS[h % WORDS.length]}.`,
        subject: channel === 'email' ? `Mail thread ${h}` : '',
      });
    }
  }
  const written = [users, tickets, ticketMessages, inbox];
  for (const w of written) w.close();
  const index = new JsonLines(path.join(dir, '_tables', 'documents.jsonl'));
  for (const [i, name] of ['users', 'support_tickets', 'ticket_messages', 'inbox_messages'].entries()) index.add({ name, id: 10_001 + i });
  index.close();
  return {
    tickets: options.tickets,
    messages: options.tickets * (1 + options.messagesPerTicket) + 3 * options.threads,
    copies,
    threads: options.threads,
    bytes: written.reduce((sum, w) => sum + w.bytes, 0),
  };
}
