import { invalid } from '../errors.js';
import type { Actor, Sender } from '../inbox/actors.js';
import { addMessage, assignConversation, createConversation, inUnit, type Unit, updateConversationStatus } from '../inbox/commands.js';
import type { InboxContext } from '../inbox/context.js';
import { findConversation } from '../store/conversations.js';
import { findImportedId, findImportedSourceIds, type ImportRecord, insertImportRecords } from '../store/imports.js';
import type { NewAttachment } from '../store/messages.js';
import type { Channel, ConversationType, Priority, Status } from '../store/schema.js';
import { deferSearchIndex } from '../store/search-bulk.js';
import { recordImportedMessageIds, writeExtras } from './extras.js';

// One imported conversation, written as it happened (issue 20 "One import framework"): the
// commands themselves — createConversation, addMessage, the status — in ONE transaction with
// origin `import`, each at its original time, so counters, search, customer histories and
// the event trail come out as for a live conversation while nobody is notified, mailed,
// surveyed or counted in the reports (every consumer skips origin `import`). The source ids
// are recorded in the same transaction: a second run, or a run after a SIGKILL, skips what
// committed and writes the rest.

/** Who wrote an imported message: the conversation's customer, a team member (already imported or matched), or the bot. */
export type ImportedAuthor = { customer: true } | { userId: number } | { bot: string };

export type ImportedMessage = {
  sourceId: string;
  from: ImportedAuthor;
  body: string;
  htmlBody?: string | null;
  isInternal?: boolean;
  sentAt: number;
  /** Already in the attachment store (by their SHA-256). */
  attachments?: NewAttachment[];
  /** The original mail's Message-IDs: a reply to one threads into the conversation (import/extras.ts). */
  messageIds?: string[];
};

export type ImportedConversation = {
  /** Which importer and which of its sources (`convex`, `zendesk:acme.zendesk.com`). */
  source: string;
  sourceId: string;
  /** The old system's reference, as its users know it (a ticket number). */
  legacyRef: string;
  channel: Channel;
  type?: ConversationType;
  priority?: Priority;
  status: Status;
  subject: string;
  customer: { email: string; name?: string };
  assignedTo?: number | null;
  tags?: string[];
  /** In the order they were written; the first must be public (it opens the conversation). */
  messages: readonly ImportedMessage[];
  /** When it was resolved or closed there (default: its last message). */
  endedAt?: number;
  /** The team it belongs to, by name; made on first use (import/extras.ts). */
  team?: string;
  /** The old system's custom fields, kept as JSON on the conversation. */
  customFields?: Record<string, unknown>;
  /** The customer's company (a Zendesk organization). */
  company?: string;
  /** The customer's satisfaction rating there (1–5), as a CSAT answer at `endedAt`. */
  csat?: { rating: number; comment: string | null };
};

/** `messages`: how many it wrote; `updated`: an earlier run's conversation, grown by messages written there since. */
export type ImportOutcome = { outcome: 'created' | 'updated' | 'already_imported'; conversationId: number; messages: number };

/** Carries a dry run's outcomes out of its unit, which it rolls back. */
class DryRun extends Error {
  constructor(readonly outcomes: ImportOutcome[]) {
    super('dry run: rolled back');
  }
}

/** What an importer does as itself (assigning, setting the final status); every event's origin is `import` anyway. */
const IMPORTER: Actor = { system: 'import' };

/**
 * Imports conversations in ONE unit, so they commit together (a commit costs as much as a
 * few conversations' statements). One the commands refuse fails the unit and so the whole
 * group: the runner then imports the group one by one, to refuse only that one.
 *
 * `dryRun`: everything runs — the lookups, every command's checks — and the transaction
 * rolls back, so a dry run refuses exactly what a real run would and reports the same numbers.
 */
export async function importConversations(
  ctx: InboxContext,
  inputs: readonly ImportedConversation[],
  options: { dryRun?: boolean } = {},
): Promise<ImportOutcome[]> {
  // Each command reads the time from the context: the import's clock is the record's own.
  const at = { now: 0 };
  const importing: InboxContext = { ...ctx, clock: () => at.now };
  const importedAt = ctx.clock();
  return inUnit(
    importing,
    async (unit) => {
      // The group is indexed for search at once, before it commits (store/search-bulk.ts).
      const indexForSearch = await deferSearchIndex(unit.tx, ctx.store.dialect);
      // The same senders write message after message: each is looked up once (unit.ts).
      unit.rememberLookups();
      const outcomes: ImportOutcome[] = [];
      for (const input of inputs) outcomes.push(await importInto(unit, input, at, importedAt));
      await indexForSearch();
      if (options.dryRun) throw new DryRun(outcomes);
      return outcomes;
    },
    { origin: 'import' },
  ).catch((error: unknown) => {
    if (error instanceof DryRun) return error.outcomes;
    throw error;
  });
}

/** One conversation with its messages, each command at the record's time (`at`, the unit's clock). */
async function importInto(unit: Unit, input: ImportedConversation, at: { now: number }, importedAt: number): Promise<ImportOutcome> {
  const known = await findImportedId(unit.tx, { source: input.source, kind: 'conversation', sourceId: input.sourceId });
  if (known !== null) return appendLater(unit, input, known, at, importedAt);
  if (input.messages.length === 0) throw invalid('messages', 'a conversation needs at least one message');
  if (input.messages[0]!.isInternal) throw invalid('messages', 'the first message opens the conversation: it cannot be an internal note');
  // A message already imported with another conversation (moved there between two
  // exports) stays where it is: importing it twice would duplicate it.
  const elsewhere = await findImportedSourceIds(
    unit.tx,
    input.source,
    'message',
    input.messages.map((m) => m.sourceId),
  );
  const [first, ...rest] = input.messages.filter((m) => !elsewhere.has(m.sourceId));
  if (!first || first.isInternal) throw invalid('messages', 'its opening messages were imported with another conversation');
  at.now = first.sentAt;
  const created = await createConversation(unit, {
    from: 'customer' in first.from ? { customerEmail: input.customer.email, name: input.customer.name } : first.from,
    customer: input.customer,
    channel: input.channel,
    type: input.type,
    priority: input.priority,
    subject: input.subject,
    tags: input.tags,
    legacyRef: input.legacyRef,
    body: first.body,
    htmlBody: first.htmlBody ?? null,
    attachments: first.attachments,
    sentAt: first.sentAt,
  });
  const id = created.conversation.id;
  // The unit writes the row once, at its end, not once per message (unit.ts): nothing else touches it meanwhile.
  unit.holdConversation(id);
  const customerId = created.conversation.customer.id;
  const records: ImportRecord[] = [
    { source: input.source, kind: 'conversation', sourceId: input.sourceId, targetId: id },
    { source: input.source, kind: 'message', sourceId: first.sourceId, targetId: created.message.id },
  ];
  if (input.assignedTo != null) await assignConversation(unit, { conversation: id, assigneeId: input.assignedTo, by: IMPORTER });
  const ended = await addInOrder(unit, input, { id, status: created.conversation.status, last: first.sentAt, customerId }, rest, records, at);
  await finish(unit, input, ended, at);
  await writeExtras(unit, input, { conversationId: id, messageIdsBySource: new Map(records.map((r) => [r.sourceId, r.targetId])) });
  await insertImportRecords(unit.tx, records, importedAt);
  return { outcome: 'created', conversationId: id, messages: 1 + rest.length };
}

type Written = { id: number; status: Status; last: number; customerId: number };

/** The messages after the first, each at its own time, never before the one written last. */
async function addInOrder(
  unit: Unit,
  input: ImportedConversation,
  written: Written,
  messages: readonly ImportedMessage[],
  records: ImportRecord[],
  at: { now: number },
): Promise<Written> {
  let { status, last } = written;
  for (const message of messages) {
    at.now = Math.max(last, message.sentAt);
    last = at.now;
    const from: Sender = 'customer' in message.from ? { customerId: written.customerId } : message.from;
    const added = await addMessage(unit, {
      conversation: written.id,
      from,
      body: message.body,
      htmlBody: message.htmlBody ?? null,
      isInternal: message.isInternal ?? false,
      attachments: message.attachments,
      sentAt: message.sentAt,
    });
    status = added.conversation.status;
    records.push({ source: input.source, kind: 'message', sourceId: message.sourceId, targetId: added.message.id });
  }
  return { ...written, status, last };
}

/** The messages left it open or pending, as the rules say; the old system says how it ended. */
async function finish(unit: Unit, input: ImportedConversation, written: Written, at: { now: number }): Promise<void> {
  at.now = Math.max(written.last, input.endedAt ?? written.last);
  if (input.status !== written.status) await updateConversationStatus(unit, { conversation: written.id, status: input.status, by: IMPORTER });
}

/**
 * A conversation an earlier run imported: the messages written there since (the usual move
 * imports once ahead and again at the switch) are added at its end, and the old system's
 * status follows them. Without new messages nothing changes, so whatever the team did here
 * meanwhile stays. One the team deleted here stays deleted; one it merged into another
 * continues there.
 */
async function appendLater(unit: Unit, input: ImportedConversation, id: number, at: { now: number }, importedAt: number): Promise<ImportOutcome> {
  const unchanged: ImportOutcome = { outcome: 'already_imported', conversationId: id, messages: 0 };
  const imported = await findImportedSourceIds(
    unit.tx,
    input.source,
    'message',
    input.messages.map((m) => m.sourceId),
  );
  const fresh = input.messages.filter((m) => !imported.has(m.sourceId));
  if (fresh.length === 0) return unchanged;
  const conversation = await liveConversation(unit, id);
  if (!conversation) return unchanged;
  const into = Number(conversation.id);
  const records: ImportRecord[] = [];
  const written = { id: into, status: conversation.status, last: conversation.lastMessageAt, customerId: Number(conversation.customerId) };
  await finish(unit, input, await addInOrder(unit, input, written, fresh, records, at), at);
  await recordImportedMessageIds(
    unit,
    { ...input, messages: fresh },
    { conversationId: into, messageIdsBySource: new Map(records.map((r) => [r.sourceId, r.targetId])) },
  );
  await insertImportRecords(unit.tx, records, importedAt);
  return { outcome: 'updated', conversationId: into, messages: fresh.length };
}

/** Merges followed at most (as mail does, channels/email/merged-thread.ts). */
const MAX_MERGE_HOPS = 5;

/** The conversation an imported one lives on as: itself, or the one the team merged it into; none when deleted. */
async function liveConversation(unit: Unit, id: number) {
  let conversation = await findConversation(unit.tx, unit.ctx.store.dialect, { id });
  for (let hop = 0; conversation?.mergedInto != null && hop < MAX_MERGE_HOPS; hop++) {
    conversation = await findConversation(unit.tx, unit.ctx.store.dialect, { id: Number(conversation.mergedInto) });
  }
  return conversation?.mergedInto == null ? conversation : undefined;
}
