import { readFileSync } from 'node:fs';
import type { ZendeskClient } from './client.js';

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
 * (tickets with their `comments`), or tickets one per line as Zendesk's own export writes them.
 */
export function fileReader(file: string): ZendeskReader {
  const text = readFileSync(file, 'utf8');
  const whole = wholeExport(text);
  const tickets: ZTicket[] = whole
    ? ((whole.tickets as ZTicket[] | undefined) ?? [])
    : text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ZTicket);
  const list = <T>(key: string) =>
    async function* (): AsyncIterable<T> {
      yield* ((whole?.[key] as T[] | undefined) ?? []) as T[];
    };
  return {
    users: list<ZUser>('users'),
    groups: list<ZNamed>('groups'),
    organizations: list<ZNamed>('organizations'),
    ticketFields: list<ZNamed>('ticket_fields'),
    async *comments() {
      for (const ticket of tickets) for (const comment of ticket.comments ?? []) yield { ticketId: ticket.id, comment };
    },
    async *tickets() {
      yield* tickets;
    },
    async *ticketComments() {},
  };
}

/** The one-object form, or null: then the file is one ticket a line. */
function wholeExport(text: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Array.isArray(parsed.tickets) ? parsed : null;
  } catch {
    return null;
  }
}
