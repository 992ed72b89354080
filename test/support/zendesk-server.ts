import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZComment, ZTicket, ZUser } from '../../src/import/zendesk/reader.js';

// A stand-in for a Zendesk account (issue 20's test): a real HTTP server on 127.0.0.1
// answering the documented paths and response shapes from generated data — cursor pages
// of the incremental ticket export, time-paged ticket events with comment events, cursor-
// paginated lists — with Zendesk's manners: Basic auth, a 429 with Retry-After on every
// fourth request, an attachment that fails twice with 503 before it answers.

export const ZD_EMAIL = 'admin@acme.example';
export const ZD_TOKEN = 'zd-token';
const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent', null] as const;
const CHANNELS = ['email', 'web', 'chat', 'api', 'messaging'] as const;
const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

export type ZendeskWorld = {
  users: ZUser[];
  tickets: ZTicket[];
  comments: Map<number, ZComment[]>;
  files: Map<string, Buffer>;
  /** Tickets of note, by what the test checks with them. */
  special: { longThread: number; attachment: number; inlineImage: number; deleted: number; noEmail: number };
  agents: { email: string; name: string }[];
};

/** `tickets` tickets (+1 deleted), 2–3 comments each, one with 300 that the bulk stream leaves out; agents at `domain`. */
export function zendeskWorld(tickets: number, domain = 'acme.example'): ZendeskWorld {
  const agents = [0, 1, 2].map((i) => ({
    id: 900 + i,
    name: `Agent ${i}`,
    email: `agent${i}@${domain}`,
    role: i === 0 ? 'admin' : 'agent',
    organization_id: null,
  }));
  const customers = Array.from({ length: 100 }, (_, i) => ({
    id: 1000 + i,
    name: `Customer ${i}`,
    email: i === 7 ? null : `customer${i}@example.org`,
    role: 'end-user',
    organization_id: i % 2 === 0 ? 51 : null,
  }));
  const files = new Map<string, Buffer>();
  const comments = new Map<number, ZComment[]>();
  const all: ZTicket[] = [];
  let commentId = 500_000;
  const special = { longThread: 13, attachment: 11, inlineImage: 12, deleted: tickets + 1, noEmail: 8 };
  for (let id = 1; id <= tickets + 1; id++) {
    const at = T0 + id * 60_000;
    const requester = id === special.noEmail ? customers[7]! : customers[id % 100 === 7 ? 1 : id % 100]!;
    const channel = CHANNELS[id % CHANNELS.length]!;
    const status = id === special.deleted ? 'deleted' : STATUSES[id % STATUSES.length]!;
    const agent = agents[id % 3]!;
    const list: ZComment[] = [];
    const comment = (author: number, body: string, extra: Partial<ZComment> = {}): ZComment => {
      const cid = ++commentId;
      return {
        id: cid,
        author_id: author,
        body,
        html_body: `<p>${body}</p>`,
        plain_body: body,
        public: true,
        attachments: [],
        created_at: iso(at + list.length * 1000),
        metadata: { system: channel === 'email' ? { message_id: `<zd-${cid}@mail.acme.example>` } : {} },
        ...extra,
      };
    };
    const count = id === special.longThread ? 300 : 2;
    for (let n = 0; n < count; n++) list.push(comment(n % 2 === 0 ? requester.id : agent.id, `Ticket ${id}, comment ${n}`));
    if (id % 5 === 0) list.push(comment(agent.id, `Note on ticket ${id}`, { public: false }));
    if (id === special.attachment) {
      const bytes = createHash('sha512').update('invoice').digest();
      files.set('invoice.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), bytes]));
      list[0]!.attachments = [
        { id: 71, file_name: 'invoice.pdf', content_url: '/attachments/token/invoice.pdf', content_type: 'application/pdf', size: 0, inline: false },
      ];
    }
    if (id === special.inlineImage) {
      files.set('screen.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), createHash('sha256').update('png').digest()]));
      list[0]!.attachments = [
        { id: 72, file_name: 'screen.png', content_url: '/attachments/token/screen.png', content_type: 'image/png', size: 0, inline: true },
      ];
      list[0]!.html_body = '<p>See: <img src="/attachments/token/screen.png" alt="screen"></p>';
    }
    comments.set(id, list);
    all.push({
      id,
      subject: `Problem ${id}`,
      status,
      priority: PRIORITIES[id % PRIORITIES.length]!,
      type: id % 4 === 0 ? 'incident' : 'question',
      requester_id: requester.id,
      assignee_id: agent.id,
      organization_id: requester.organization_id,
      group_id: id % 2 === 0 ? 31 : 32,
      // Ticket 14 has more tags than fit here, one with a colon.
      tags: id === 14 ? ['vip:gold', ...Array.from({ length: 24 }, (_, i) => `extra_${i}`)] : ['imported', `batch_${id % 3}`],
      custom_fields: [{ id: 41, value: id % 3 === 0 ? `ORD-${id}` : null }],
      via: { channel },
      satisfaction_rating: status === 'solved' || status === 'closed' ? { score: id % 4 === 0 ? 'bad' : 'good', comment: id % 4 === 0 ? 'Slow' : null } : null,
      created_at: iso(at),
      updated_at: iso(at + 3_600_000),
    });
  }
  return { users: [...agents, ...customers], tickets: all, comments, files, special, agents };
}

export type ZendeskServer = { url: string; requests: { path: string; at: number; status: number }[]; close(): Promise<void> };

export async function startZendeskServer(world: ZendeskWorld, options: { ticketPage?: number; eventPage?: number } = {}): Promise<ZendeskServer> {
  const ticketPage = options.ticketPage ?? 1000;
  const eventPage = options.eventPage ?? 1000;
  const requests: ZendeskServer['requests'] = [];
  const failures = new Map<string, number>();
  // One audit per comment, in time order; the long thread's are missing, as a gap the importer fills.
  const events = world.tickets
    .flatMap((t) => (t.id === world.special.longThread ? [] : world.comments.get(t.id)!.map((c) => ({ ticket_id: t.id, comment: c }))))
    .sort((a, b) => Date.parse(a.comment.created_at) - Date.parse(b.comment.created_at));
  let base = '';
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const list = (res: ServerResponse, url: URL, key: string, items: unknown[]) => {
    const size = Number(url.searchParams.get('page[size]') ?? 100);
    const after = Number(url.searchParams.get('page[after]') ?? 0);
    const page = items.slice(after, after + size);
    const more = after + size < items.length;
    const next = new URL(url.pathname, base);
    next.searchParams.set('page[size]', String(size));
    next.searchParams.set('page[after]', String(after + size));
    send(res, 200, { [key]: page, meta: { has_more: more, after_cursor: more ? String(after + size) : null }, links: { next: more ? next.href : null } });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const record = (status: number) => requests.push({ path: url.pathname, at: Date.now(), status });
    if (req.headers.authorization !== `Basic ${Buffer.from(`${ZD_EMAIL}/token:${ZD_TOKEN}`).toString('base64')}`) {
      record(401);
      return send(res, 401, { error: 'Couldn’t authenticate you' });
    }
    if ((requests.length + 1) % 4 === 0) {
      record(429);
      return send(res, 429, { error: 'APIRateLimitExceeded' }, { 'retry-after': '1' });
    }
    const file = url.pathname.match(/^\/attachments\/token\/(.+)$/)?.[1];
    if (file) {
      const tries = (failures.get(file) ?? 0) + 1;
      failures.set(file, tries);
      if (file === 'invoice.pdf' && tries <= 2) {
        record(503);
        return send(res, 503, { error: 'Service Unavailable' });
      }
      record(200);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(world.files.get(file));
    }
    record(200);
    if (url.pathname === '/api/v2/users.json') return list(res, url, 'users', world.users);
    if (url.pathname === '/api/v2/tickets/count.json') {
      return send(res, 200, { count: { value: world.tickets.filter((t) => t.status !== 'deleted').length, refreshed_at: new Date().toISOString() } });
    }
    if (url.pathname === '/api/v2/groups.json')
      return list(res, url, 'groups', [
        { id: 31, name: 'Billing' },
        { id: 32, name: 'Support' },
      ]);
    if (url.pathname === '/api/v2/organizations.json') return list(res, url, 'organizations', [{ id: 51, name: 'Globex' }]);
    if (url.pathname === '/api/v2/ticket_fields.json') return list(res, url, 'ticket_fields', [{ id: 41, title: 'Order number' }]);
    const own = url.pathname.match(/^\/api\/v2\/tickets\/(\d+)\/comments\.json$/);
    if (own) return list(res, url, 'comments', world.comments.get(Number(own[1])) ?? []);
    if (url.pathname === '/api/v2/incremental/tickets/cursor.json') {
      const from = url.searchParams.has('cursor') ? Number(Buffer.from(url.searchParams.get('cursor')!, 'base64').toString()) : 0;
      const page = world.tickets.slice(from, from + ticketPage);
      const cursor = Buffer.from(String(from + page.length)).toString('base64');
      const end = from + page.length >= world.tickets.length;
      return send(res, 200, {
        tickets: page,
        after_cursor: end ? null : cursor,
        after_url: end ? null : `${base}/api/v2/incremental/tickets/cursor.json?cursor=${cursor}`,
        before_cursor: null,
        before_url: null,
        end_of_stream: end,
      });
    }
    if (url.pathname === '/api/v2/incremental/ticket_events.json' && url.searchParams.get('include') === 'comment_events') {
      // Time-paged: this stand-in's start_time is the position in the stream.
      const from = Number(url.searchParams.get('start_time') ?? 0);
      const page = events.slice(from, from + eventPage);
      const end = from + page.length >= events.length;
      return send(res, 200, {
        ticket_events: page.map((e, i) => ({
          id: 10_000_000 + from + i,
          ticket_id: e.ticket_id,
          timestamp: Math.floor(Date.parse(e.comment.created_at) / 1000),
          created_at: e.comment.created_at,
          updater_id: e.comment.author_id,
          event_type: 'Audit',
          child_events: [{ ...e.comment, event_type: 'Comment', type: 'Comment' }],
        })),
        next_page: `${base}/api/v2/incremental/ticket_events.json?start_time=${from + page.length}&include=comment_events`,
        count: page.length,
        end_of_stream: end,
        end_time: from + page.length,
      });
    }
    return send(res, 404, { error: 'RecordNotFound' });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
