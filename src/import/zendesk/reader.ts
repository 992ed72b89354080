import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ZendeskClient, ZendeskError } from './client.js';

// Where a Zendesk account's records come from: its API (the incremental exports, in bulk)
// or a JSON export on disk. The source (source.ts) reads both the same way.

export type ZUser = { id: number; name?: string | null; email?: string | null; role?: string | null; organization_id?: number | null };
export type ZNamed = { id: number; name?: string | null; title?: string | null };
export type ZAttachment = {
  id: number;
  file_name?: string | null;
  content_url: string;
  mapped_content_url?: string | null;
  content_type?: string | null;
  size?: number;
  inline?: boolean;
};
export type ZComment = {
  id: number;
  author_id: number;
  body?: string | null;
  html_body?: string | null;
  plain_body?: string | null;
  public?: boolean;
  attachments?: ZAttachment[];
  created_at: string;
  metadata?: { system?: { message_id?: string | null } | null } | null;
};
export type ZTicket = {
  id: number;
  subject?: string | null;
  raw_subject?: string | null;
  description?: string | null;
  status: string;
  priority?: string | null;
  type?: string | null;
  requester_id: number;
  assignee_id?: number | null;
  organization_id?: number | null;
  group_id?: number | null;
  tags?: string[];
  custom_fields?: { id: number; value: unknown }[];
  via?: { channel?: string | null } | null;
  satisfaction_rating?: { score?: string | null; comment?: string | null } | null;
  created_at: string;
  updated_at: string;
  /** The JSON export's tickets carry their comments. */
  comments?: ZComment[];
};

export type ZendeskReader = {
  users(): AsyncIterable<ZUser>;
  groups(): AsyncIterable<ZNamed>;
  organizations(): AsyncIterable<ZNamed>;
  ticketFields(): AsyncIterable<ZNamed>;
  /** Every comment of every ticket, in bulk, in any order. */
  comments(): AsyncIterable<{ ticketId: number; comment: ZComment }>;
  tickets(): AsyncIterable<ZTicket>;
  /** One ticket's comments: what fills a ticket the bulk stream had none for. */
  ticketComments(ticketId: number): AsyncIterable<ZComment>;
  /** About how many tickets `tickets()` yields (the progress bar's total), or null when it cannot tell. */
  ticketCount(): Promise<number | null>;
};

type CursorPage = { meta?: { has_more?: boolean }; links?: { next?: string | null } };

/** A list endpoint with cursor pagination (`page[size]`, `links.next` while `meta.has_more`). */
async function* listed<T>(client: ZendeskClient, path: string, key: string): AsyncIterable<T> {
  let next: string | null = `${path}${path.includes('?') ? '&' : '?'}page[size]=100`;
  while (next) {
    const page: CursorPage & Record<string, unknown> = await client.json(next);
    yield* (page[key] as T[] | undefined) ?? [];
    next = page.meta?.has_more ? (page.links?.next ?? null) : null;
  }
}

type TicketsPage = { tickets: ZTicket[]; after_url?: string | null; after_cursor?: string | null; end_of_stream?: boolean };
type EventsPage = {
  ticket_events: { ticket_id: number; child_events?: (ZComment & { event_type?: string })[]; metadata?: ZComment['metadata'] }[];
  next_page?: string | null;
  end_of_stream?: boolean;
};

export function apiReader(client: ZendeskClient, startTime = 0): ZendeskReader {
  return {
    users: () => listed(client, '/api/v2/users.json', 'users'),
    groups: () => listed(client, '/api/v2/groups.json', 'groups'),
    organizations: () => listed(client, '/api/v2/organizations.json', 'organizations'),
    ticketFields: () => listed(client, '/api/v2/ticket_fields.json', 'ticket_fields'),
    ticketComments: (id) => listed(client, `/api/v2/tickets/${id}/comments.json`, 'comments'),
    async ticketCount() {
      // Zendesk's count is of every ticket, refreshed daily past 100,000: right for a first
      // run; a later one (from `startTime`) reads only what changed, which it cannot count.
      if (startTime > 0) return null;
      try {
        const { count } = await client.json<{ count?: { value?: unknown } }>('/api/v2/tickets/count.json');
        return typeof count?.value === 'number' ? count.value : null;
      } catch (error) {
        // A server that speaks the export but not this endpoint: the bar goes without a total.
        if (error instanceof ZendeskError) return null;
        throw error;
      }
    },
    async *tickets() {
      // Cursor-based: no duplicates, archived tickets included, deleted ones with status `deleted`.
      let next: string | null = `/api/v2/incremental/tickets/cursor.json?start_time=${startTime}`;
      while (next) {
        const page: TicketsPage = await client.json(next);
        yield* page.tickets;
        next = page.end_of_stream
          ? null
          : (page.after_url ?? (page.after_cursor ? `/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(page.after_cursor)}` : null));
      }
    },
    async *comments() {
      let next: string | null = `/api/v2/incremental/ticket_events.json?start_time=${startTime}&include=comment_events`;
      while (next) {
        const page: EventsPage = await client.json(next);
        for (const event of page.ticket_events) {
          for (const child of event.child_events ?? []) {
            if (child.event_type !== 'Comment') continue;
            // The mail's Message-ID sits on the audit; a comment event may repeat it.
            yield { ticketId: event.ticket_id, comment: { ...child, metadata: child.metadata ?? event.metadata } };
          }
        }
        next = page.end_of_stream || page.ticket_events.length === 0 ? null : (page.next_page ?? null);
      }
    },
  };
}

/**
 * A JSON export on disk: one object `{ users, groups, organizations, ticket_fields, tickets }`
 * (tickets with their `comments`), read whole; or tickets one per line as Zendesk's own export
 * writes them, streamed, with its users and organizations from their own export files
 * (`related`: one record a line, an array, or an object holding the list).
 */
export function fileReader(file: string, related: { users?: string; organizations?: string } = {}): ZendeskReader {
  let document: Promise<Record<string, unknown> | null> | undefined;
  const whole = () => (document ??= readDocument(file));
  const section = <T>(key: string, separate?: string) =>
    async function* (): AsyncIterable<T> {
      if (separate) yield* jsonRecords<T>(separate, key);
      else yield* ((await whole())?.[key] as T[] | undefined) ?? [];
    };
  async function* tickets(): AsyncIterable<ZTicket> {
    const doc = await whole();
    if (doc) yield* (doc.tickets as ZTicket[]) ?? [];
    else yield* jsonRecords<ZTicket>(file, 'tickets');
  }
  return {
    users: section<ZUser>('users', related.users),
    groups: section<ZNamed>('groups'),
    organizations: section<ZNamed>('organizations', related.organizations),
    ticketFields: section<ZNamed>('ticket_fields'),
    async *comments() {
      for await (const ticket of tickets()) for (const comment of ticket.comments ?? []) yield { ticketId: ticket.id, comment };
    },
    tickets,
    async *ticketComments() {},
    async ticketCount() {
      const doc = await whole();
      if (doc) return ((doc.tickets as ZTicket[]) ?? []).filter((t) => t.status !== 'deleted').length;
      // A line each, deleted ones too: counted without reading them, so about right.
      let lines = 0;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) if (line.trim()) lines++;
      return lines;
    },
  };
}

/** The one-object form (its first line is the whole object, or not JSON on its own), or null: one ticket a line. */
async function readDocument(file: string): Promise<Record<string, unknown> | null> {
  const first = await firstLine(file);
  const parsed = parseOrUndefined(first);
  if (parsed !== undefined && !Array.isArray((parsed as Record<string, unknown> | null)?.tickets)) return null;
  const doc = (parsed ?? parseFile(file)) as Record<string, unknown> | null;
  if (!doc || !Array.isArray(doc.tickets)) throw new ZendeskFileError(`${file}: neither an export object with "tickets" nor one ticket a line`);
  return doc;
}

/** Records one a line (streamed), or a file that is one array or one object holding them under `key`. */
async function* jsonRecords<T>(file: string, key: string): AsyncIterable<T> {
  const first = parseOrUndefined(await firstLine(file));
  if (first === undefined || Array.isArray(first) || Array.isArray((first as Record<string, unknown>)[key])) {
    const doc = first ?? parseFile(file);
    const list = Array.isArray(doc) ? doc : (doc as Record<string, unknown>)[key];
    if (!Array.isArray(list)) throw new ZendeskFileError(`${file}: no "${key}" list in it`);
    yield* list as T[];
    return;
  }
  let number = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    number++;
    if (!line.trim()) continue;
    const record = parseOrUndefined(line);
    if (record === undefined) throw new ZendeskFileError(`${file} line ${number}: not JSON`);
    yield record as T;
  }
}

export class ZendeskFileError extends Error {}

async function firstLine(file: string): Promise<string> {
  const input = createReadStream(file);
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) if (line.trim()) return line;
  } finally {
    input.destroy();
  }
  throw new ZendeskFileError(`${file} is empty`);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseFile(file: string): unknown {
  const parsed = parseOrUndefined(readFileSync(file, 'utf8'));
  if (parsed === undefined) throw new ZendeskFileError(`${file}: not JSON`);
  return parsed;
}
