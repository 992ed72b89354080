import { openStaging, type Staging } from '../../store/import-staging.js';
import type { NewAttachment } from '../../store/messages.js';
import type { AgentFor } from '../agents.js';
import type { ImportedAuthor, ImportedConversation, ImportedMessage } from '../conversation.js';
import type { ImportSource, SourceItem } from '../run.js';
import { FieldDetector, type FieldMap, type Mapping, text, time } from './fields.js';
import type { ConvexDocument, ConvexSnapshot } from './snapshot.js';
import { type Author, authorOf, channelOf, isNoName, normalised, priorityOf, statusOf } from './values.js';

// The design's legacy app (issue 20): `support_tickets` + `ticket_messages` are the tickets,
// `inbox_messages` holds the chat and email threads AND copies of ticket messages, `users`
// names people. Rows are staged on disk by conversation (store/import-staging.ts), then each
// ticket and each thread becomes one conversation. A copy — an inbox row naming a ticket, or
// the same sender and text within a few seconds of a ticket message — is skipped and counted;
// a customer reply that only `ticket_messages` has is kept. Nobody is stored as "Unknown": a
// sender is named from the users table, the row's address, or the ticket's customer, and a
// conversation with no identity at all is refused into the report.

export type ConvexOptions = {
  mapping?: Mapping;
  /** Only open and pending tickets and threads (the design's hybrid); a later full run adds the rest. */
  activeOnly?: boolean;
  /** The team member a legacy admin is here, made switched off if need be (import/agents.ts). */
  agentFor: AgentFor;
  /**
   * Puts a stored file of the export into the attachment store, checked against the SHA-256
   * the export lists; throws (the message is refused) when it is missing or differs.
   */
  storeFile?: (file: { id: string; name: string | null }) => Promise<NewAttachment>;
};

const SOURCE = 'convex';
const SAMPLE = 3;
const COPY_WINDOW_MS = 5_000;

type Person = { name: string; email: string };
type StagedFile = { id: string; name: string | null };
type StagedMessage = { id: string; at: number; author: Author; person: Person; body: string; internal: boolean; files: StagedFile[] };

export async function sample(snapshot: ConvexSnapshot, table: string, size = SAMPLE): Promise<ConvexDocument[]> {
  const docs: ConvexDocument[] = [];
  for await (const doc of snapshot.documents(table)) {
    docs.push(doc);
    if (docs.length >= size) break;
  }
  return docs;
}

/** Each table's fields, detected over all of its documents (one streaming pass each), `mapping` overriding. */
export async function convexFieldMaps(snapshot: ConvexSnapshot, mapping: Mapping = {}): Promise<Record<string, FieldMap>> {
  const maps: Record<string, FieldMap> = {};
  for (const table of ['support_tickets', 'ticket_messages', 'inbox_messages', 'users']) {
    const detector = new FieldDetector();
    for await (const doc of snapshot.documents(table)) detector.add(doc);
    maps[table] = detector.fields(mapping[table]);
  }
  return maps;
}

export async function convexSource(snapshot: ConvexSnapshot, options: ConvexOptions): Promise<ImportSource & { close(): void }> {
  const maps = await convexFieldMaps(snapshot, options.mapping);
  const notes = new Set<string>();
  const note = (line: string) => notes.add(line);
  const staging = openStaging();
  const counts = { tickets: 0, threads: 0, copies: 0 };
  try {
    await stageUsers(snapshot, maps.users!, staging);
    const person = (doc: ConvexDocument, map: FieldMap): Person => {
      const known = staging.user(text(doc, map, 'sender')) as Person | undefined;
      const name = text(doc, map, 'name');
      return { name: isNoName(name) ? (known?.name ?? '') : name, email: text(doc, map, 'email') || known?.email || '' };
    };
    const staged = (doc: ConvexDocument, map: FieldMap): StagedMessage => ({
      id: String(doc._id),
      at: time(doc, map) ?? 0,
      author: authorOf(map.senderType ? doc[map.senderType] : undefined),
      person: person(doc, map),
      body: text(doc, map, 'body'),
      internal: ['true', '1'].includes(text(doc, map, 'internal')),
      files: filesOf(map.attachments ? doc[map.attachments] : undefined),
    });
    const fingerprint = (m: StagedMessage) => `${m.person.email.toLowerCase() || m.person.name}\u0000${normalised(m.body)}`;

    const tm = maps.ticket_messages!;
    for await (const doc of snapshot.documents('ticket_messages')) {
      const m = staged(doc, tm);
      staging.addMessage(`t:${text(doc, tm, 'ticket')}`, m.at, m);
      staging.addFingerprint(fingerprint(m), m.at);
    }
    const im = maps.inbox_messages!;
    for await (const doc of snapshot.documents('inbox_messages')) {
      const m = staged(doc, im);
      if (text(doc, im, 'ticket') || channelOf(text(doc, im, 'channel')) === 'ticket' || staging.hasFingerprint(fingerprint(m), m.at, COPY_WINDOW_MS)) {
        counts.copies++;
        continue;
      }
      const thread = text(doc, im, 'thread') || m.id;
      staging.addMessage(`i:${thread}`, m.at, {
        ...m,
        channel: channelOf(text(doc, im, 'channel')),
        subject: text(doc, im, 'subject'),
        status: text(doc, im, 'status'),
      });
    }
    for await (const _ of snapshot.documents('support_tickets')) counts.tickets++;
    for (const _ of staging.groups('i:')) counts.threads++;

    const st = maps.support_tickets!;
    async function* items(): AsyncIterable<SourceItem> {
      // The tickets met: a ticket message naming any other is refused, not lost.
      const tickets = new Set<string>();
      for await (const doc of snapshot.documents('support_tickets')) {
        const id = String(doc._id);
        tickets.add(id);
        const status = statusOf(text(doc, st, 'status'), note);
        if (options.activeOnly && status !== 'open' && status !== 'pending') continue;
        const at = time(doc, st) ?? 0;
        const messages = staging.messagesOf(`t:${id}`) as StagedMessage[];
        const description = text(doc, st, 'body');
        const opening: StagedMessage[] =
          description && !messages.some((m) => normalised(m.body) === normalised(description))
            ? [{ id: `${id}:description`, at, author: 'customer', person: person(doc, st), body: description, internal: false, files: [] }]
            : [];
        yield* await conversationOf({
          sourceId: `ticket:${id}`,
          legacyRef: text(doc, st, 'reference') || id,
          channel: 'ticket',
          subject: text(doc, st, 'subject'),
          status,
          priority: priorityOf(text(doc, st, 'priority'), note),
          owner: person(doc, st),
          assignedTo: await assigneeOf(text(doc, st, 'assignee')),
          messages: [...opening, ...messages],
        });
      }
      for (const group of staging.groups('t:')) {
        if (tickets.has(group.slice(2))) continue;
        for (const m of staging.messagesOf(group) as StagedMessage[])
          yield { kind: 'refused', sourceId: m.id, reason: `its ticket ${group.slice(2) || '(none named)'} is not in the export` };
      }
      for (const group of staging.groups('i:')) {
        const messages = staging.messagesOf(group) as (StagedMessage & { channel: 'email' | 'chatbot' | null; subject: string; status: string })[];
        const first = messages[0]!;
        const last = messages.at(-1)!;
        const status = last.status ? statusOf(last.status, note) : last.author === 'customer' ? 'open' : 'pending';
        if (options.activeOnly && status !== 'open' && status !== 'pending') continue;
        yield* await conversationOf({
          sourceId: `thread:${group.slice(2)}`,
          legacyRef: group.slice(2),
          channel: first.channel ?? 'chatbot',
          subject: first.subject || first.body.split('\n')[0]!.slice(0, 80),
          status,
          priority: 'normal',
          owner: messages.find((m) => m.author === 'customer')?.person ?? { name: '', email: '' },
          messages,
        });
      }
    }

    /** The ticket's assignee as a team member here: a users-table id or an address; unknown or switched off → unassigned, noted. */
    async function assigneeOf(ref: string): Promise<number | null> {
      if (!ref) return null;
      const known = ref.includes('@') ? { email: ref, name: '' } : ((staging.user(ref) as Person | undefined) ?? { email: '', name: '' });
      const agent = known.email ? await options.agentFor({ email: known.email, name: known.name || known.email }) : null;
      if (!agent?.active) note(`assignee ${known.email || ref} has no active account here: left unassigned`);
      return agent?.active ? agent.id : null;
    }

    async function conversationOf(
      c: Omit<ImportedConversation, 'source' | 'customer' | 'messages' | 'type'> & { owner: Person; messages: StagedMessage[] },
    ): Promise<SourceItem[]> {
      // The customer: the ticket's own, else whoever of the customers wrote with an address.
      const customer = c.owner.email ? c.owner : (c.messages.find((m) => m.author === 'customer' && m.person.email)?.person ?? null);
      if (!customer)
        return [{ kind: 'refused', sourceId: c.sourceId, reason: 'no customer identity: no address on the record, its messages or in the users table' }];
      const out: ImportedMessage[] = [];
      const items: SourceItem[] = [];
      for (const m of c.messages) {
        const attachments: NewAttachment[] = [];
        try {
          for (const file of m.files) if (options.storeFile) attachments.push(await options.storeFile(file));
        } catch (error) {
          items.push({ kind: 'refused', sourceId: m.id, reason: error instanceof Error ? error.message : String(error) });
          continue;
        }
        if (!m.body.trim() && attachments.length === 0) {
          items.push({ kind: 'refused', sourceId: m.id, reason: 'empty message' });
          continue;
        }
        let from: ImportedAuthor = { customer: true };
        if (m.author === 'bot') from = { bot: isNoName(m.person.name) ? 'Bot' : m.person.name };
        if (m.author === 'admin') {
          const agent = m.person.email ? await options.agentFor({ email: m.person.email, name: m.person.name || m.person.email }) : null;
          if (agent === null)
            return [
              {
                kind: 'refused',
                sourceId: c.sourceId,
                reason: m.person.email
                  ? `a team reply by ${m.person.email}, which is a customer's address here`
                  : `a team reply by ${m.person.name || 'someone'} without an address: nobody to write it as`,
              },
            ];
          from = { userId: agent.id };
        }
        out.push({ sourceId: m.id, from, body: m.body, isInternal: m.internal, sentAt: m.at, attachments });
      }
      // The first public message opens the conversation; notes written before it follow it.
      const opener = out.findIndex((m) => !m.isInternal);
      if (opener < 0) return [...items, { kind: 'refused', sourceId: c.sourceId, reason: 'no public message' }];
      const messages = [out[opener]!, ...out.filter((_, i) => i !== opener)];
      const { owner: _, ...rest } = c;
      return [
        ...items,
        {
          kind: 'conversation',
          record: {
            ...rest,
            source: SOURCE,
            customer: { email: customer.email, name: isNoName(customer.name) ? undefined : customer.name },
            subject: c.subject || '(no subject)',
            messages,
          },
        },
      ];
    }

    return { name: SOURCE, total: counts.tickets + counts.threads, items, notes: () => [...notes], copies: () => counts.copies, close: () => staging.close() };
  } catch (error) {
    staging.close();
    throw error;
  }
}

/** A message's files: storage ids, or objects naming one (`storageId`, `id`) with a file name. */
function filesOf(value: unknown): StagedFile[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): StagedFile[] => {
    if (typeof item === 'string' && item) return [{ id: item, name: null }];
    if (typeof item !== 'object' || item === null) return [];
    const o = item as Record<string, unknown>;
    const id = [o.storageId, o.id, o._id].find((v): v is string => typeof v === 'string' && v !== '');
    const name = [o.name, o.fileName, o.filename].find((v): v is string => typeof v === 'string' && v !== '') ?? null;
    return id ? [{ id, name }] : [];
  });
}

async function stageUsers(snapshot: ConvexSnapshot, map: FieldMap, staging: Staging): Promise<void> {
  for await (const doc of snapshot.documents('users')) {
    const name = text(doc, map, 'name');
    staging.setUser(String(doc._id), { name: isNoName(name) ? '' : name, email: text(doc, map, 'email') });
  }
}
