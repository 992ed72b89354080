import { addToCounters, nextSequenceValue } from '../store/counters.js';
import {
  deleteConversationRows,
  findConversation,
  findTeamAddresses,
  insertConversation,
  syncConversationTags,
  updateConversationRow,
} from '../store/conversations.js';
import { deleteDelivery, findDelivery, queueDeliveries, saveDelivery } from '../store/deliveries.js';
import { insertEvents, type NewEvent } from '../store/events.js';
import {
  findMessageByExternalKey,
  findMessagesByIds,
  insertAttachments,
  insertMessage,
  listAttachments,
  markMessagesRead,
  updateMessageMailHeaders,
  upsertConversationRead,
  type NewAttachment,
} from '../store/messages.js';
import { enqueueJobs } from '../store/outbox.js';
import type { Channel, ConversationPatch, MessageAuto, ConversationRow, ConversationType, DeliveryRow, DeliveryStatus, Label, MessageRow, NewMessageRow, Priority, Status } from '../store/schema.js';
import { CHANNELS, CONVERSATION_TYPES, PRIORITIES } from '../store/schema.js';
import { isUniqueViolation, transact, type Tx } from '../store/transaction.js';
import { findUserById } from '../store/users.js';
import { isUnverified, normalizeEmail, requireTeam, resolveActor, resolveCustomer, resolveSender, type Actor, type MessageSender, type ResolvedActor, type Sender } from './actors.js';
import type { InboxContext } from './context.js';
import { DomainError, invalid, notFound } from '../errors.js';
import { candidateAddresses, mergeParticipants, participantList, plannedHeaders, sameParticipants, type Person } from './participants.js';
import { toConversation, toInboxEvent, toMessage, type Conversation, type InboxEvent, type MailHeaders, type Message, type Participant } from './records.js';
import {
  BOT_TAG,
  withBot,
  withoutBot,
  countDeltas,
  normalizeLabels,
  normalizeTags,
  previewOf,
  requestedStatusChange,
  statusChangeForMessage,
  statusTimestamps,
  singleLine,
  storableText,
  tagRowNames,
  type StatusChange,
} from './rules.js';
import { resolveConversationRef, type ConversationRef } from './refs.js';

// The one write path. Each command is one transaction that writes the rows, their
// audit events and the outbox jobs those events plan; the events are published on the
// bus only after commit.

const MAX_SUBJECT = 500;
const MAX_BODY = 1_000_000;
const MAX_HTML_BODY = 5_000_000;

type Committed<T> = { result: T; events: InboxEvent[] };

async function runCommand<T>(ctx: InboxContext, work: (tx: Tx, now: number) => Promise<Committed<T>>): Promise<T> {
  const { result, events } = await transact(ctx.store, (tx) => work(tx, ctx.clock()));
  ctx.bus.publish(events);
  return result;
}

/** The events written, the deliveries their jobs queued (by message id), and how many jobs were queued. */
type Recorded = { events: InboxEvent[]; deliveries: Map<number, DeliveryRow>; jobs: number };

/** Writes the events and the jobs they plan, in the caller's transaction. */
async function recordEvents(ctx: InboxContext, tx: Tx, events: NewEvent[], conversation: Conversation | null): Promise<Recorded> {
  const written = (await insertEvents(tx, ctx.store.dialect, events)).map(toInboxEvent);
  const jobs = written.flatMap((event) => ctx.sideEffects.flatMap((plan) => plan(event, conversation)));
  const now = events[0]?.createdAt ?? ctx.clock();
  await enqueueJobs(tx, jobs, now);
  const queued = await queueDeliveries(tx, jobs.flatMap((job) => job.delivers ?? []), now);
  return { events: written, deliveries: new Map(queued.map((row) => [Number(row.messageId), row])), jobs: jobs.length };
}

const countable = (row: ConversationRow) => ({ ...row, labels: JSON.parse(row.labels) as string[], tags: JSON.parse(row.tags) as string[] });

/** Updates a conversation and everything derived from it: counters and label/tag rows. */
async function writeConversation(tx: Tx, before: ConversationRow, patch: ConversationPatch): Promise<ConversationRow> {
  const after = await updateConversationRow(tx, Number(before.id), patch);
  const [was, is] = [countable(before), countable(after)];
  await addToCounters(tx, countDeltas(was, is));
  const names = tagRowNames(is.labels, is.tags);
  const previous = tagRowNames(was.labels, was.tags);
  const moved = before.status !== after.status || before.lastMessageAt !== after.lastMessageAt;
  if ((names.length > 0 && moved) || names.join() !== previous.join()) await syncConversationTags(tx, after, names, previous);
  return after;
}

async function lockConversation(ctx: InboxContext, tx: Tx, ref: ConversationRef): Promise<ConversationRow> {
  const row = await findConversation(tx, ctx.store.dialect, resolveConversationRef(ref), true);
  if (!row) throw notFound('conversation');
  return row;
}

function eventBy(actor: ResolvedActor, conversationId: number, now: number) {
  return (eventType: string, oldValue?: unknown, newValue?: unknown): NewEvent => ({
    conversationId,
    eventType,
    performedBy: actor.id,
    performedByName: actor.name,
    oldValue,
    newValue,
    createdAt: now,
  });
}

function statusPatch(row: ConversationRow, change: StatusChange | null, now: number): ConversationPatch {
  return change ? { status: change.to, ...statusTimestamps(row, change.to, now) } : {};
}

function checkContent(body: string, htmlBody: string | null | undefined, attachments: readonly NewAttachment[]): void {
  if (!body.trim() && !htmlBody?.trim() && attachments.length === 0) throw invalid('body', 'body is required');
  if (body.length > MAX_BODY) throw new DomainError('too_large', `body exceeds ${MAX_BODY} characters`, 'body');
  if (htmlBody && htmlBody.length > MAX_HTML_BODY) throw new DomainError('too_large', `htmlBody exceeds ${MAX_HTML_BODY} characters`, 'htmlBody');
}

/**
 * Runs a command that stores a message under an optional idempotency key: a key seen
 * before returns the first result. Two calls racing with one key both miss the lookup;
 * the loser's insert hits the unique key, its transaction rolls back, and it returns
 * the winner's result. The caller's receipt is written with whichever result it gets.
 */
async function runMessageCommand(
  ctx: InboxContext,
  input: Pick<MessageContent, 'externalKey' | 'receipt'>,
  work: (tx: Tx, now: number) => Promise<Committed<MessageResult>>,
): Promise<MessageResult> {
  const { externalKey: key, receipt } = input;
  try {
    return await runCommand(ctx, async (tx, now) => {
      const existing = await findByExternalKey(ctx, tx, key);
      const committed = existing ? { result: existing, events: [] } : await work(tx, now);
      await receipt?.(tx, committed.result);
      return committed;
    });
  } catch (error) {
    if (key === undefined || !isUniqueViolation(error)) throw error;
    const existing = await findByExternalKey(ctx, ctx.store.db, key);
    if (existing === null) throw error;
    if (receipt) await transact(ctx.store, (tx) => receipt(tx, existing));
    return existing;
  }
}

export type MessageContent = {
  body: string;
  htmlBody?: string | null;
  attachments?: NewAttachment[];
  /** Written by a machine (an out-of-office, a bounce, list mail): shown as such, not as the sender speaking. */
  auto?: MessageAuto;
  /** When the message was written (an email's Date); defaults to now and never lies in the future. */
  sentAt?: number;
  /** The addresses of the mail it came as (a channel's inbound mail). */
  email?: MailHeaders;
  /**
   * Who else a mail it came as was addressed to (its From, To and Cc but our own
   * addresses): they join the conversation's participants as far as the rules allow
   * (participants.ts); nobody can be asked, so what does not qualify is left out.
   */
  copied?: Person[];
  /** Idempotency key: an email Message-ID, a client request id. */
  externalKey?: string;
  /**
   * The caller's own record of what it filed (a channel's row for the mail it received),
   * written last in the command's transaction: the message and the record commit together
   * or not at all. It writes the caller's tables only.
   */
  receipt?: (tx: Tx, result: MessageResult) => Promise<void>;
};

export type CreateConversationInput = MessageContent & {
  from: Sender;
  channel: Channel;
  subject: string;
  type?: ConversationType;
  priority?: Priority;
  /** Required when the first message is not the customer's own (an agent or the bot writes first). */
  customer?: { email: string; name?: string };
  labels?: Label[];
  tags?: string[];
  /**
   * Whom an agent starting an email conversation copies (Cc): its first participants.
   * Checked like everything an agent types: a wrong address is refused.
   */
  cc?: Person[];
  /** Where a ticket came from when that matters downstream (the contact form is acknowledged by mail); kept in the `created` event. */
  origin?: 'contact';
  /**
   * The chat bot answers first: the conversation waits as `pending` under the `bot` tag
   * (the inbox's Bot view, out of Open) until someone asks for a person or an agent replies.
   */
  withBot?: boolean;
};

/** A command's message and its conversation; `created` is false when the idempotency key had been seen. */
export type MessageResult = { conversation: Conversation; message: Message; created: boolean };

async function findByExternalKey(ctx: InboxContext, tx: Tx, externalKey: string | undefined): Promise<MessageResult | null> {
  if (externalKey === undefined) return null;
  const message = await findMessageByExternalKey(tx, externalKey);
  if (!message) return null;
  const row = await findConversation(tx, ctx.store.dialect, { id: Number(message.conversationId) });
  if (!row) return null;
  // A replayed request answers the first message as it was, files included.
  const attachments = await listAttachments(tx, [Number(message.id)]);
  const delivery = await findDelivery(tx, Number(message.id));
  return { conversation: toConversation(row), message: toMessage(message, attachments, delivery), created: false };
}

function messageRow(conversationId: number, sender: MessageSender, content: MessageContent, isInternal: boolean, now: number, mailHeaders: MailHeaders | null): NewMessageRow {
  return {
    conversationId,
    senderId: sender.id,
    senderType: sender.kind,
    senderName: sender.name,
    senderEmail: sender.email,
    body: storableText(content.body),
    htmlBody: content.htmlBody ? storableText(content.htmlBody) : null,
    isInternal: isInternal ? 1 : 0,
    externalKey: content.externalKey ?? null,
    auto: content.auto ?? null,
    mailHeaders: mailHeaders && JSON.stringify(mailHeaders),
    // An email's Date header may be in the future; the thread's order may not.
    sentAt: Math.min(content.sentAt ?? now, now),
    readAt: null,
    createdAt: now,
  };
}

/**
 * The conversation's participants after a message: an agent's Cc replaces them (checked
 * strictly), the addresses of a mail join them (leniently). Never the customer, nor a team member.
 */
async function nextParticipants(tx: Tx, current: readonly Participant[], customerEmail: string, input: { cc?: Person[]; copied?: Person[] }): Promise<Participant[]> {
  const people = [...(input.cc ?? []), ...(input.copied ?? [])];
  if (input.cc === undefined && people.length === 0) return [...current];
  const teamAddresses = await findTeamAddresses(tx, candidateAddresses(people));
  const rules = { exclude: [customerEmail], teamAddresses };
  // An address the agent keeps keeps the name its mail gave it.
  const named = input.cc?.map((p) => ({ ...p, name: p.name ?? current.find((c) => c.email === p.email.trim().toLowerCase())?.name }));
  const base = named ? participantList(named, { ...rules, strict: true, field: 'cc' }) : [...current];
  return input.copied?.length ? mergeParticipants(base, participantList(input.copied, { ...rules, strict: false, field: 'copied' })) : base;
}

function checkCc(cc: readonly Person[] | undefined, channel: Channel, isInternal: boolean): void {
  if (cc === undefined) return;
  if (isInternal) throw invalid('cc', 'an internal note is not mailed, so it copies nobody');
  if (channel !== 'email') throw invalid('cc', 'only email conversations copy people (Cc)');
}

/**
 * The headers a message's mail will go with: an agent's public message on an email
 * conversation is mailed To the customer and Cc the participants (planners.ts), so it
 * carries them from the start; a mail received brings its own.
 */
function mailHeadersOf(content: MessageContent, sender: MessageSender, isInternal: boolean, conversation: ConversationRow, participants: readonly Participant[]): MailHeaders | null {
  if (content.email) return content.email;
  if (isInternal || sender.kind !== 'admin' || conversation.channel !== 'email') return null;
  return plannedHeaders({ email: conversation.customerEmail, name: conversation.customerName }, participants);
}

/** Planned headers stay only on a message a job will mail (none when this server sends no mail). */
async function dropUnmailedHeaders(tx: Tx, message: MessageRow, deliveries: Map<number, DeliveryRow>, planned: boolean): Promise<MessageRow> {
  if (!planned || message.mailHeaders === null || deliveries.has(Number(message.id))) return message;
  await updateMessageMailHeaders(tx, Number(message.id), null);
  return { ...message, mailHeaders: null };
}

export async function createConversation(ctx: InboxContext, input: CreateConversationInput): Promise<MessageResult> {
  const subject = singleLine(input.subject);
  if (!subject) throw invalid('subject', 'subject is required');
  // Only a note can be unverified, and a note needs a conversation to be on.
  if (isUnverified(input.from)) throw new DomainError('forbidden', 'a message nobody verified cannot start a conversation', 'from');
  if (subject.length > MAX_SUBJECT) throw invalid('subject', `subject is longer than ${MAX_SUBJECT} characters`);
  if (!CHANNELS.includes(input.channel)) throw invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
  const type = input.type ?? 'support';
  if (!CONVERSATION_TYPES.includes(type)) throw invalid('type', `type must be one of ${CONVERSATION_TYPES.join(', ')}`);
  const priority = input.priority ?? 'normal';
  if (!PRIORITIES.includes(priority)) throw invalid('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
  const labels = normalizeLabels(input.labels ?? []);
  const tags = normalizeTags([...(input.tags ?? []), ...(input.withBot ? [BOT_TAG] : [])]);
  const attachments = input.attachments ?? [];
  checkContent(input.body, input.htmlBody, attachments);
  checkCc(input.cc, input.channel, false);

  return runMessageCommand(ctx, input, async (tx, now) => {
    const sender = await resolveSender(tx, input.from, now);
    if (input.cc && sender.kind !== 'admin') throw new DomainError('forbidden', 'only the team copies people on mail', 'cc');
    const customer =
      sender.kind === 'customer'
        ? sender
        : input.customer
          ? await resolveCustomer(tx, input.customer, now)
          : null;
    if (!customer) throw invalid('customer', 'customer is required when an agent or the bot starts a conversation');
    const participants = await nextParticipants(tx, [], customer.email!, input);

    const number = await nextSequenceValue(tx, 'conversation_number');
    const row = await insertConversation(tx, {
      number,
      channel: input.channel,
      type,
      customerId: customer.id!,
      customerName: customer.name,
      customerEmail: customer.email!,
      // Who opened it signed in: until a customer proves their address, these are all they see.
      openedBy: 'userId' in input.from ? input.from.userId : null,
      subject,
      status: sender.kind === 'admin' || input.withBot ? 'pending' : 'open',
      priority,
      assignedTo: null,
      labels: JSON.stringify(labels),
      tags: JSON.stringify(tags),
      participants: JSON.stringify(participants),
      messageCount: 1,
      lastMessagePreview: previewOf(input.body),
      firstMessageAt: Math.min(input.sentAt ?? now, now),
      lastMessageAt: now,
      lastCustomerMessageAt: sender.kind === 'customer' ? now : null,
      lastReplyAt: sender.kind === 'admin' ? now : null,
      resolvedAt: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const headers = mailHeadersOf(input, sender, false, row, participants);
    let storedMessage = await insertMessage(tx, messageRow(row.id, sender, input, false, now, headers));
    const attachmentRows = await insertAttachments(tx, storedMessage, attachments, now);
    await addToCounters(tx, countDeltas(null, countable(row)));
    const names = tagRowNames(labels, tags);
    if (names.length > 0) await syncConversationTags(tx, row, names, []);

    const conversation = toConversation(row);
    const event = eventBy(sender, conversation.id, now);
    const { events, deliveries } = await recordEvents(
      ctx,
      tx,
      [
        event('created', null, {
          number: conversation.number,
          channel: conversation.channel,
          subject,
          messageId: Number(storedMessage.id),
          // Who wrote first decides what is mailed: an agent's first message goes to the customer, a customer's is acknowledged.
          senderType: sender.kind,
          ...(participants.length ? { cc: participants.map((p) => p.email) } : {}),
          ...(input.origin ? { origin: input.origin } : {}),
        }),
      ],
      conversation,
    );
    storedMessage = await dropUnmailedHeaders(tx, storedMessage, deliveries, !input.email);
    // A new message is mailed only if one of those jobs queued it.
    const message = toMessage(storedMessage, attachmentRows, deliveries.get(Number(storedMessage.id)));
    return { result: { conversation, message, created: true }, events };
  });
}

export type AddMessageInput = MessageContent & {
  conversation: ConversationRef;
  from: Sender;
  isInternal?: boolean;
  /** Leaves the status as it is: mail no person wrote (an auto-reply, a list mail) asks nothing of the team. */
  keepStatus?: boolean;
  /**
   * Whom an agent's public reply on an email conversation copies (Cc); it becomes the
   * conversation's participants. Omitted, the reply copies the participants as they are.
   */
  cc?: Person[];
};

export async function addMessage(ctx: InboxContext, input: AddMessageInput): Promise<MessageResult> {
  const attachments = input.attachments ?? [];
  const isInternal = input.isInternal ?? false;
  checkContent(input.body, input.htmlBody, attachments);
  if (isUnverified(input.from) && !isInternal) throw new DomainError('forbidden', 'a message nobody verified can only be an internal note', 'isInternal');
  if (input.cc && isInternal) checkCc(input.cc, 'email', true);

  return runMessageCommand(ctx, input, async (tx, now) => {
    const before = await lockConversation(ctx, tx, input.conversation);
    const sender = await resolveSender(tx, input.from, now);
    // Notes are the team's: an agent's, or what Onethread itself tells the team (a bounce notice).
    if (isInternal && sender.kind === 'customer') throw new DomainError('forbidden', 'only the team writes internal notes', 'isInternal');
    const change = input.keepStatus ? null : statusChangeForMessage(before.status, sender.kind, isInternal, ctx.reopenClosedOnCustomerReply);
    // An agent answering a chat the bot still has takes it over: the bot falls silent.
    const takesOver = sender.kind === 'admin' && !isInternal && withBot(before);
    if (input.cc && sender.kind !== 'admin') throw new DomainError('forbidden', 'only the team copies people on mail', 'cc');
    checkCc(input.cc, before.channel, isInternal);
    const participantsBefore = JSON.parse(before.participants) as Participant[];
    // A note is nobody's mail: it changes nobody's place on the conversation's mail.
    const participants = isInternal ? participantsBefore : await nextParticipants(tx, participantsBefore, before.customerEmail, input);
    const participantsChanged = !sameParticipants(participantsBefore, participants);

    const headers = mailHeadersOf(input, sender, isInternal, before, participants);
    let storedMessage = await insertMessage(tx, messageRow(before.id, sender, input, isInternal, now, headers));
    const attachmentRows = await insertAttachments(tx, storedMessage, attachments, now);

    // Notes are for the team: they neither move the conversation up nor change its status.
    // Mail no person wrote (an out-of-office, list mail) is no activity either: the
    // conversation neither moves up nor shows "New reply" for it.
    const publicPatch: ConversationPatch = isInternal || input.auto
      ? {}
      : {
          lastMessageAt: now,
          lastMessagePreview: previewOf(input.body),
          ...(sender.kind === 'customer' ? { lastCustomerMessageAt: now } : {}),
          ...(sender.kind === 'admin' ? { lastReplyAt: now } : {}),
          ...(takesOver ? { tags: JSON.stringify(withoutBot(before)) } : {}),
        };
    const after = await writeConversation(tx, before, {
      messageCount: before.messageCount + 1,
      updatedAt: now,
      ...(participantsChanged ? { participants: JSON.stringify(participants) } : {}),
      ...publicPatch,
      ...statusPatch(before, change, now),
    });

    const conversation = toConversation(after);
    const event = eventBy(sender, conversation.id, now);
    const events: NewEvent[] = [
      event(isInternal ? 'note_added' : 'replied', null, { messageId: Number(storedMessage.id), senderType: sender.kind }),
    ];
    if (participantsChanged) {
      events.push(event('participants_changed', participantsBefore.map((p) => p.email), participants.map((p) => p.email)));
    }
    if (change) events.push(event(change.eventType, change.from, change.to));
    if (takesOver) events.push(event('escalated', { handler: 'bot' }, { handler: 'team', reason: 'team_replied' }));
    const { events: written, deliveries } = await recordEvents(ctx, tx, events, conversation);
    storedMessage = await dropUnmailedHeaders(tx, storedMessage, deliveries, !input.email);
    const message = toMessage(storedMessage, attachmentRows, deliveries.get(Number(storedMessage.id)));
    return { result: { conversation, message, created: true }, events: written };
  });
}

type Decision = { patch: ConversationPatch; eventType: string; oldValue: unknown; newValue: unknown };
/** Looks at the conversation as it is (earlier decisions of the same command applied) and says what changes, if anything. */
type Decide = (row: ConversationRow, actor: ResolvedActor, now: number, tx: Tx) => Promise<Decision | null>;

/**
 * Applies changes to one conversation on behalf of `by` in one transaction: the row is
 * written once, with one event per change that changed something. One refused change
 * refuses them all.
 */
function changeConversation(
  ctx: InboxContext,
  ref: ConversationRef,
  by: Actor,
  decisions: readonly Decide[],
  receipt?: (tx: Tx, conversation: Conversation) => Promise<void>,
): Promise<Conversation> {
  return runCommand(ctx, async (tx, now) => {
    const committed = await applyDecisions(ctx, tx, now, ref, by, decisions);
    await receipt?.(tx, committed.result);
    return committed;
  });
}

async function applyDecisions(ctx: InboxContext, tx: Tx, now: number, ref: ConversationRef, by: Actor, decisions: readonly Decide[]): Promise<Committed<Conversation>> {
  const before = await lockConversation(ctx, tx, ref);
  const actor = await resolveActor(tx, by, now);
  let current = before;
  const made: Decision[] = [];
  for (const decide of decisions) {
    const decision = await decide(current, actor, now, tx);
    if (!decision) continue;
    made.push(decision);
    current = { ...current, ...decision.patch };
  }
  if (made.length === 0) return { result: toConversation(before), events: [] };
  const after = await writeConversation(tx, before, { ...Object.assign({}, ...made.map((d) => d.patch)), updatedAt: now });
  const conversation = toConversation(after);
  const event = eventBy(actor, conversation.id, now);
  const { events } = await recordEvents(ctx, tx, made.map((d) => event(d.eventType, d.oldValue, d.newValue)), conversation);
  return { result: conversation, events };
}

const decideStatus =
  (status: Status): Decide =>
  async (row, actor, now) => {
    // A customer may close their own question ("Mark as resolved"), nothing else.
    if (actor.role === 'customer') {
      if (Number(row.customerId) !== actor.id) throw notFound('conversation');
      if (status !== 'resolved' && status !== 'closed') throw new DomainError('forbidden', 'customers can only mark a conversation resolved or closed');
    }
    const change = requestedStatusChange(row.status, status);
    if (!change) return null;
    return { patch: statusPatch(row, change, now), eventType: change.eventType, oldValue: change.from, newValue: change.to };
  };

const decideAssignee =
  (assigneeId: number | null): Decide =>
  async (row, actor, _now, tx) => {
    requireTeam(actor, 'assign conversations');
    if (assigneeId !== null) {
      const assignee = await findUserById(tx, assigneeId);
      if (!assignee || assignee.role === 'customer') throw invalid('assignedTo', `user ${assigneeId} is not an agent`);
      // Unassigning a deactivated member stays possible (that is how their queue is handed on).
      if (assignee.deactivatedAt !== null && row.assignedTo !== assigneeId) throw invalid('assignedTo', `${assignee.name} is deactivated and cannot be assigned conversations`);
    }
    if (row.assignedTo === assigneeId) return null;
    return { patch: { assignedTo: assigneeId }, eventType: assigneeId === null ? 'unassigned' : 'assigned', oldValue: row.assignedTo, newValue: assigneeId };
  };

/** Replaces the labels and/or tags given; omitted ones stay as they are. */
const decideLabels =
  (labels: Label[] | undefined, tags: string[] | undefined): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'label conversations');
    const old = { labels: JSON.parse(row.labels) as Label[], tags: JSON.parse(row.tags) as string[] };
    const next = { labels: labels ? normalizeLabels(labels) : old.labels, tags: tags ? normalizeTags(tags) : old.tags };
    if (JSON.stringify(old) === JSON.stringify(next)) return null;
    return { patch: { labels: JSON.stringify(next.labels), tags: JSON.stringify(next.tags) }, eventType: 'labeled', oldValue: old, newValue: next };
  };

const decidePriority =
  (priority: Priority): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'change priority');
    if (!PRIORITIES.includes(priority)) throw invalid('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
    if (row.priority === priority) return null;
    return { patch: { priority }, eventType: 'priority_changed', oldValue: row.priority, newValue: priority };
  };

const decideType =
  (type: ConversationType): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'change the type');
    if (!CONVERSATION_TYPES.includes(type)) throw invalid('type', `type must be one of ${CONVERSATION_TYPES.join(', ')}`);
    if (row.type === type) return null;
    return { patch: { type }, eventType: 'type_changed', oldValue: row.type, newValue: type };
  };

export type EscalationReason = 'asked' | 'keyword' | 'unsure';

/** The bot hands a chat to the team: out of the Bot view, `open` in the inbox, with an `escalated` event. Once only. */
export function escalateConversation(ctx: InboxContext, input: { conversation: ConversationRef; reason: EscalationReason; by: Actor }): Promise<Conversation> {
  let handedOver = false;
  const handOver: Decide = async (row) => {
    if (!withBot(row)) return null;
    handedOver = true;
    return { patch: { tags: JSON.stringify(withoutBot(row)) }, eventType: 'escalated', oldValue: { handler: 'bot' }, newValue: { handler: 'team', reason: input.reason } };
  };
  // The team's reopen rule, without the customer's "resolve only" limit: the visitor asked for a person.
  const open: Decide = async (row, _actor, now) => {
    const change = handedOver ? requestedStatusChange(row.status, 'open') : null;
    return change ? { patch: statusPatch(row, change, now), eventType: change.eventType, oldValue: change.from, newValue: change.to } : null;
  };
  return changeConversation(ctx, input.conversation, input.by, [handOver, open]);
}

export function updateConversationStatus(ctx: InboxContext, input: { conversation: ConversationRef; status: Status; by: Actor }): Promise<Conversation> {
  return changeConversation(ctx, input.conversation, input.by, [decideStatus(input.status)]);
}

export function assignConversation(ctx: InboxContext, input: { conversation: ConversationRef; assigneeId: number | null; by: Actor }): Promise<Conversation> {
  return changeConversation(ctx, input.conversation, input.by, [decideAssignee(input.assigneeId)]);
}

export function labelConversation(
  ctx: InboxContext,
  input: { conversation: ConversationRef; labels?: Label[]; tags?: string[]; by: Actor },
): Promise<Conversation> {
  return changeConversation(ctx, input.conversation, input.by, [decideLabels(input.labels, input.tags)]);
}

export function setConversationPriority(ctx: InboxContext, input: { conversation: ConversationRef; priority: Priority; by: Actor }): Promise<Conversation> {
  return changeConversation(ctx, input.conversation, input.by, [decidePriority(input.priority)]);
}

/**
 * The conversation is with someone else than first recorded: a chat visitor who wrote
 * before giving their address. Later mail (continuity) goes to the new customer. The
 * caller's receipt (the visitor's new identity) commits with it or not at all.
 */
export function changeConversationCustomer(
  ctx: InboxContext,
  input: { conversation: ConversationRef; customer: { email: string; name?: string }; by: Actor; receipt?: (tx: Tx, conversation: Conversation) => Promise<void> },
): Promise<Conversation> {
  const decide: Decide = async (row, _actor, now, tx) => {
    const customer = await resolveCustomer(tx, input.customer, now);
    if (Number(row.customerId) === customer.id) return null;
    return {
      patch: { customerId: customer.id!, customerName: customer.name, customerEmail: customer.email! },
      eventType: 'customer_changed',
      oldValue: { id: Number(row.customerId), name: row.customerName, email: row.customerEmail },
      newValue: { id: customer.id, name: customer.name, email: customer.email },
    };
  };
  return changeConversation(ctx, input.conversation, input.by, [decide], input.receipt);
}

export function setConversationType(ctx: InboxContext, input: { conversation: ConversationRef; type: ConversationType; by: Actor }): Promise<Conversation> {
  return changeConversation(ctx, input.conversation, input.by, [decideType(input.type)]);
}

export type ConversationChanges = {
  status?: Status;
  priority?: Priority;
  assigneeId?: number | null;
  labels?: Label[];
  tags?: string[];
  type?: ConversationType;
};

/**
 * Several changes at once (an API PATCH), all or nothing in one transaction. Status
 * comes last, so "assigned, then resolved" reads in that order in the audit trail.
 */
export function updateConversation(ctx: InboxContext, input: ConversationChanges & { conversation: ConversationRef; by: Actor }): Promise<Conversation> {
  const decisions: Decide[] = [];
  if (input.type !== undefined) decisions.push(decideType(input.type));
  if (input.priority !== undefined) decisions.push(decidePriority(input.priority));
  if (input.labels !== undefined || input.tags !== undefined) decisions.push(decideLabels(input.labels, input.tags));
  if (input.assigneeId !== undefined) decisions.push(decideAssignee(input.assigneeId));
  if (input.status !== undefined) decisions.push(decideStatus(input.status));
  return changeConversation(ctx, input.conversation, input.by, decisions);
}

/** Records that `userId` has seen the conversation, and marks the other side's messages read. */
export function markConversationRead(ctx: InboxContext, input: { conversation: ConversationRef; userId: number }): Promise<{ readAt: number }> {
  return runCommand(ctx, async (tx, now) => {
    const row = await lockConversation(ctx, tx, input.conversation);
    const reader = await resolveActor(tx, { userId: input.userId }, now);
    await upsertConversationRead(tx, Number(row.id), input.userId, now);
    await markMessagesRead(tx, Number(row.id), reader.kind === 'customer' ? ['admin', 'bot'] : ['customer'], now);
    return { result: { readAt: now }, events: [] };
  });
}

/**
 * The conversation's customer, reading without signing in (a chat visitor), has had the
 * team's and the bot's public messages up to `upTo` in front of them: a continuity mail
 * that would carry one of them is not sent. `marked`: how many were new to them.
 */
export function markSeenByCustomer(ctx: InboxContext, input: { conversation: ConversationRef; customerId: number; upTo: number }): Promise<{ marked: number }> {
  return runCommand(ctx, async (tx, now) => {
    const row = await lockConversation(ctx, tx, input.conversation);
    await resolveActor(tx, { customerId: input.customerId }, now);
    if (Number(row.customerId) !== input.customerId) throw notFound('conversation');
    const marked = await markMessagesRead(tx, Number(row.id), ['admin', 'bot'], now, input.upTo);
    return { result: { marked }, events: [] };
  });
}

/** Deletes a conversation, its messages and attachments; a `deleted` event is what remains. */
export function deleteConversation(ctx: InboxContext, input: { conversation: ConversationRef; by: Actor }): Promise<void> {
  return runCommand(ctx, async (tx, now) => {
    const row = await lockConversation(ctx, tx, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    if (actor.role !== 'admin' && actor.kind !== 'system') throw new DomainError('forbidden', 'only an admin deletes conversations');
    await addToCounters(tx, countDeltas(countable(row), null));
    await deleteConversationRows(tx, Number(row.id));
    const { number, subject, customer } = toConversation(row);
    // The row is gone: the event keeps what the visibility rule needs to decide who hears of it.
    const gone = { number, subject, customerEmail: customer.email, customerId: customer.id, openedBy: row.openedBy === null ? null : Number(row.openedBy) };
    const { events } = await recordEvents(ctx, tx, [eventBy(actor, Number(row.id), now)('deleted', gone, null)], null);
    return { result: undefined, events };
  });
}

/**
 * Notes on both conversations that `followUp` continues `conversation`: a customer
 * answered a closed conversation by email and a new one was opened for it.
 */
export function linkFollowUp(ctx: InboxContext, input: { conversation: number; followUp: number; by: Actor }): Promise<void> {
  if (input.conversation === input.followUp) return Promise.reject(invalid('followUp', 'a conversation cannot follow up on itself'));
  return runCommand(ctx, async (tx, now) => {
    // Lower id locked first, so two links never wait on each other in a cycle.
    const rows = new Map<number, ConversationRow>();
    for (const id of [input.conversation, input.followUp].sort((a, b) => a - b)) rows.set(id, await lockConversation(ctx, tx, id));
    const actor = await resolveActor(tx, input.by, now);
    const old = toConversation(rows.get(input.conversation)!);
    const next = toConversation(rows.get(input.followUp)!);
    const events = [
      ...(await recordEvents(ctx, tx, [eventBy(actor, old.id, now)('follow_up_opened', null, { conversationId: next.id, number: next.number })], old)).events,
      ...(await recordEvents(ctx, tx, [eventBy(actor, next.id, now)('follow_up_of', null, { conversationId: old.id, number: old.number })], next)).events,
    ];
    return { result: undefined, events };
  });
}

/**
 * How mailing a message went, as its sender reports it: `queued` (an attempt failed and
 * will be retried; `error` says why), `sent`, `failed`, or `not_mailed` (nothing was sent
 * on purpose — the customer had read it — so the message has no delivery any more). A
 * change writes a `delivery_updated` event, which the team's live view shows; a message
 * deleted meanwhile has nothing to record (null).
 */
export function recordDelivery(
  ctx: InboxContext,
  input: {
    messageId: number;
    status: DeliveryStatus | 'not_mailed';
    error?: string | null;
    attempts: number;
    by: Actor;
    /** With `sent`: the addresses the mail went with, which the message shows from then on. */
    mailed?: MailHeaders;
  },
): Promise<Message | null> {
  return runCommand(ctx, async (tx, now) => {
    const [row] = await findMessagesByIds(tx, [input.messageId]);
    // Locked like every change to a conversation, so an agent's retry and a report never interleave.
    if (!row || !(await findConversation(tx, ctx.store.dialect, { id: Number(row.conversationId) }, true))) return { result: null, events: [] };
    const before = await findDelivery(tx, input.messageId);
    const error = input.status === 'sent' || input.status === 'not_mailed' ? null : (input.error ?? null);
    const unchanged = input.status === 'not_mailed' ? !before : before?.status === input.status && before.error === error && before.attempts === input.attempts;
    const mailHeaders = input.status === 'sent' && input.mailed ? JSON.stringify(input.mailed) : row.mailHeaders;
    const attachments = await listAttachments(tx, [input.messageId]);
    if (unchanged && mailHeaders === row.mailHeaders) return { result: toMessage(row, attachments, before ?? null), events: [] };
    if (mailHeaders !== row.mailHeaders) await updateMessageMailHeaders(tx, input.messageId, mailHeaders);
    if (input.status === 'not_mailed') await deleteDelivery(tx, input.messageId);
    else await saveDelivery(tx, { messageId: input.messageId, conversationId: Number(row.conversationId), status: input.status, error, attempts: input.attempts }, now);
    const actor = await resolveActor(tx, input.by, now);
    const status = input.status === 'not_mailed' ? null : input.status;
    const { events } = await recordEvents(
      ctx,
      tx,
      [eventBy(actor, Number(row.conversationId), now)('delivery_updated', { status: before?.status ?? null }, { messageId: input.messageId, status, error, attempts: input.attempts })],
      null,
    );
    return { result: toMessage({ ...row, mailHeaders }, attachments, await findDelivery(tx, input.messageId)), events };
  });
}

/**
 * Mails a message whose delivery failed once more: a `delivery_retried` event, from which
 * the channel's planner queues a new job (the mail keeps its Message-ID, so a receiver
 * that got the first one after all sees one message). Only a failed delivery can be retried.
 */
export function retryDelivery(ctx: InboxContext, input: { conversation: ConversationRef; messageId: number; by: Actor }): Promise<Message> {
  return runCommand(ctx, async (tx, now) => {
    const row = await lockConversation(ctx, tx, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    requireTeam(actor, 'retry mail delivery');
    const [message] = await findMessagesByIds(tx, [input.messageId]);
    if (!message || Number(message.conversationId) !== Number(row.id)) throw notFound('message');
    const before = await findDelivery(tx, input.messageId);
    if (before?.status !== 'failed') {
      throw new DomainError('conflict', before ? `only a failed delivery can be retried; this one is ${before.status}` : 'this message is not mailed', 'messageId');
    }
    const conversation = toConversation(row);
    const { events, deliveries } = await recordEvents(ctx, tx, [eventBy(actor, conversation.id, now)('delivery_retried', { status: 'failed' }, { messageId: input.messageId })], conversation);
    const after = deliveries.get(input.messageId);
    // No planner took it up: mail is not configured on this server (SMTP_URL).
    if (after?.status !== 'queued') throw new DomainError('conflict', 'mail cannot be sent from this server: SMTP_URL is not set', 'messageId');
    return { result: toMessage(message, await listAttachments(tx, [input.messageId]), after), events };
  });
}

export const MAX_FORWARD_RECIPIENTS = 10;
const MAX_FORWARD_NOTE = 10_000;

export type ForwardInput = {
  conversation: ConversationRef;
  by: Actor;
  /** Where to: 1 to MAX_FORWARD_RECIPIENTS addresses, anyone's (the team decides whom to tell). */
  to: string[];
  /** A few words above the forwarded mail. */
  note?: string;
  /** One message; omitted, the whole public thread. */
  messageId?: number;
  /** Let answers to the forward come back into this conversation (the signed Reply-To); off by default. */
  withReplyAddress?: boolean;
};

/**
 * An agent forwards a message, or the public thread, by email: a `forwarded` event, from
 * which the email channel's planner queues the mail. The conversation itself does not
 * change. Refused (409) when this server sends no mail, so nobody believes it went.
 */
export function forwardConversation(ctx: InboxContext, input: ForwardInput): Promise<InboxEvent> {
  const to = [...new Set(input.to.map((address) => normalizeEmail(address, 'to')))];
  if (to.length === 0) throw invalid('to', 'forward to at least one address');
  if (to.length > MAX_FORWARD_RECIPIENTS) throw invalid('to', `forward to at most ${MAX_FORWARD_RECIPIENTS} addresses`);
  const note = storableText(input.note ?? '').trim();
  if (note.length > MAX_FORWARD_NOTE) throw new DomainError('too_large', `note exceeds ${MAX_FORWARD_NOTE} characters`, 'note');
  return runCommand(ctx, async (tx, now) => {
    const row = await lockConversation(ctx, tx, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    requireTeam(actor, 'forward conversations');
    if (actor.kind !== 'admin') throw new DomainError('forbidden', 'a team member forwards, signed in', 'by');
    if (input.messageId !== undefined) {
      const [message] = await findMessagesByIds(tx, [input.messageId]);
      if (!message || Number(message.conversationId) !== Number(row.id)) throw notFound('message');
      // Notes are the team's own words about the customer: not mail for anyone outside.
      if (message.isInternal === 1) throw invalid('messageId', 'an internal note is not forwarded');
    }
    const conversation = toConversation(row);
    const forwarded = { to, messageId: input.messageId ?? null, note: note || null, withReplyAddress: input.withReplyAddress ?? false };
    const { events, jobs } = await recordEvents(ctx, tx, [eventBy(actor, conversation.id, now)('forwarded', null, forwarded)], conversation);
    if (jobs === 0) throw new DomainError('conflict', 'mail cannot be sent from this server: SMTP_URL is not set');
    return { result: events[0]!, events };
  });
}
