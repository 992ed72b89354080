import { DomainError, invalid } from '../../errors.js';
import { MAX_SUBJECT } from '../../limits.js';
import { findChannelTeam, NO_TEAM } from '../../store/assignment.js';
import { insertConversation, syncConversationTags } from '../../store/conversations.js';
import { addToCounters, nextSequenceValue } from '../../store/counters.js';
import type { NewEvent } from '../../store/events.js';
import { insertAttachments, insertMessage } from '../../store/messages.js';
import type { Channel, ConversationPatch, ConversationType, Label, Priority } from '../../store/schema.js';
import { CHANNELS, CONVERSATION_TYPES, PRIORITIES } from '../../store/schema.js';
import { isUnverified, resolveCustomer, resolveSender, type Sender } from '../actors.js';
import { type Placement, placeByRule, placeReopened, queueIfPlaced, ruleMayAct } from '../assignment/place.js';
import { type Person, sameParticipants } from '../participants.js';
import { canCopyOnMail, canWriteInternal } from '../policies.js';
import { type Participant, toConversation, toMessage } from '../records.js';
import type { ConversationRef } from '../refs.js';
import {
  BOT_TAG,
  countDeltas,
  normalizeLabels,
  normalizeTags,
  previewOf,
  singleLine,
  statusChangeForMessage,
  tagRowNames,
  withBot,
  withoutBot,
} from '../rules.js';
import { isBlockedSender } from './blocked-senders.js';
import { checkMentionIds, followAs, followAsAuthor, recordMentions } from './followers.js';
import {
  checkCc,
  checkContent,
  dropUnmailedHeaders,
  type MessageContent,
  type MessageResult,
  mailHeadersOf,
  messageRow,
  nextParticipants,
  runMessageCommand,
} from './message-content.js';
import { SNOOZE_ENDED, snoozeTimerKey } from './snooze.js';
import { armSpamPurge, blockedSenderEvent, spamShelf } from './spam.js';
import { type CommandTarget, countable, eventBy, lockConversation, recordEvents, refuseTombstone, statusPatch, type Unit, writeConversation } from './unit.js';

// The commands that store a message: one that opens a conversation, one that adds to it.

/** The `assigned` event of a rule's decision, by the rule. */
function assignedBy(placement: Placement | null, conversationId: number, now: number): NewEvent[] {
  if (!placement || !('assignTo' in placement)) return [];
  return [eventBy(placement.by, conversationId, now)('assigned', null, placement.assignTo)];
}

/** The sender as the unit knows them (remembered in an import's unit: unit.ts rememberLookups). */
const senderIn = (unit: Unit, from: Sender, now: number) => unit.remembered(`sender:${JSON.stringify(from)}`, () => resolveSender(unit.tx, from, now));

const isBlockedIn = (unit: Unit, email: string) => unit.remembered(`blocked:${email}`, () => isBlockedSender(unit.tx, email));

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
  /**
   * Which form a ticket came through when that matters downstream (the contact form is
   * acknowledged by mail); kept in the `created` event's value. Not the event's origin
   * (context.ts), which says who wrote: here a customer.
   */
  origin?: 'contact';
  /**
   * The chat bot answers first: the conversation waits as `pending` under the `bot` tag
   * (the inbox's Bot view, out of Open) until someone asks for a person or an agent replies.
   */
  withBot?: boolean;
  /** Imports only (a unit with origin `import`): the old system's reference, shown in the header and found by search. */
  legacyRef?: string;
};

export async function createConversation(target: CommandTarget, input: CreateConversationInput): Promise<MessageResult> {
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

  return runMessageCommand(target, input, async (unit, now) => {
    const { tx } = unit;
    if (input.legacyRef !== undefined && unit.origin !== 'import') throw invalid('legacyRef', 'only an import gives a conversation a legacy reference');
    const sender = await senderIn(unit, input.from, now);
    if (input.cc && !canCopyOnMail(sender)) throw new DomainError('forbidden', 'only the team copies people on mail', 'cc');
    const customer = sender.kind === 'customer' ? sender : input.customer ? await resolveCustomer(tx, input.customer, now) : null;
    if (!customer) throw invalid('customer', 'customer is required when an agent or the bot starts a conversation');
    const participants = await nextParticipants(tx, [], customer.email!, input);
    // A channel a team claimed puts the conversation in that team; the team's rule (or, without
    // a team, the default one) may give it to someone now. What the team or the bot starts is theirs already.
    const team = await unit.remembered(`team:${input.channel}`, () => findChannelTeam(tx, input.channel));
    // A blocked sender's conversation starts in Spam: nobody is given it, nothing is mailed (unit.ts recordEvents).
    const blocked = sender.kind === 'customer' && (await isBlockedIn(unit, customer.email!));
    const placement =
      sender.kind === 'customer' && !blocked && !input.withBot && ruleMayAct(unit, sender.origin)
        ? await placeByRule(unit, team?.id ?? NO_TEAM, 'new', now)
        : null;

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
      assignedTo: placement && 'assignTo' in placement ? placement.assignTo : null,
      teamId: team?.id ?? null,
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
      legacyRef: input.legacyRef ?? null,
      ...(blocked ? spamShelf({ resolvedAt: null, closedAt: null }, now) : {}),
    });
    if (blocked) await armSpamPurge(unit, Number(row.id), now);
    const headers = mailHeadersOf(input, sender, false, row, participants);
    let storedMessage = await insertMessage(tx, messageRow(row.id, sender, input, false, now, headers));
    const attachmentRows = await insertAttachments(tx, storedMessage, attachments, now);
    await followAsAuthor(unit, Number(row.id), sender, now);
    if (row.assignedTo !== null) await followAs(unit, Number(row.id), [Number(row.assignedTo)], 'assigned', now);
    await queueIfPlaced(unit, Number(row.id), placement, now);
    await addToCounters(tx, countDeltas(null, countable(row)));
    const names = tagRowNames(labels, tags);
    if (names.length > 0) await syncConversationTags(tx, row, names, []);

    const conversation = toConversation(row);
    const event = eventBy(sender, conversation.id, now);
    const { deliveries } = await recordEvents(
      unit,
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
        ...assignedBy(placement, conversation.id, now),
        ...(blocked ? [blockedSenderEvent(conversation.id, now)] : []),
      ],
      conversation,
    );
    storedMessage = await dropUnmailedHeaders(tx, storedMessage, deliveries, !input.email);
    // A new message is mailed only if one of those jobs queued it.
    const message = toMessage(storedMessage, attachmentRows, deliveries.get(Number(storedMessage.id)));
    return { conversation, message, created: true };
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
  /** Team members an internal note mentions (the composer's autocomplete); `@Name` in its text adds more. */
  mentions?: number[];
};

export async function addMessage(target: CommandTarget, input: AddMessageInput): Promise<MessageResult> {
  const attachments = input.attachments ?? [];
  const isInternal = input.isInternal ?? false;
  checkContent(input.body, input.htmlBody, attachments);
  if (isUnverified(input.from) && !isInternal) throw new DomainError('forbidden', 'a message nobody verified can only be an internal note', 'isInternal');
  if (input.cc && isInternal) checkCc(input.cc, 'email', true);
  checkMentionIds(input.mentions, isInternal);

  return runMessageCommand(target, input, async (unit, now) => {
    const { tx, ctx } = unit;
    const before = await lockConversation(unit, input.conversation);
    refuseTombstone(before);
    const sender = await senderIn(unit, input.from, now);
    // Notes are the team's: an agent's, or what Onethread itself tells the team (a bounce notice).
    if (isInternal && !canWriteInternal(sender)) throw new DomainError('forbidden', 'only the team writes internal notes', 'isInternal');
    // Spam stays closed in Spam whoever writes (its counters say `state:spam:closed`); the team
    // restores it before answering, since nothing is mailed from Spam. A blocked sender's
    // message takes its conversation there.
    if (before.shelf === 'spam' && sender.kind === 'admin' && !isInternal) {
      throw new DomainError('invalid_transition', 'this conversation is in Spam: restore it ("Not spam") before replying');
    }
    const blocked = sender.kind === 'customer' && !isInternal && before.shelf === null && (await isBlockedIn(unit, sender.email!));
    const change =
      input.keepStatus || before.shelf === 'spam' || blocked
        ? null
        : statusChangeForMessage(before.status, sender.kind, isInternal, ctx.reopenClosedOnCustomerReply);
    // An agent answering a chat the bot still has takes it over: the bot falls silent.
    const takesOver = sender.kind === 'admin' && !isInternal && withBot(before);
    // The customer writing wakes a snoozed conversation; mail no person wrote does not.
    const wakes = sender.kind === 'customer' && !isInternal && !input.keepStatus && !input.auto && before.snoozedAt !== null;
    if (wakes) await unit.cancelTimer(snoozeTimerKey(Number(before.id)));
    if (input.cc && !canCopyOnMail(sender)) throw new DomainError('forbidden', 'only the team copies people on mail', 'cc');
    checkCc(input.cc, before.channel, isInternal);
    const participantsBefore = JSON.parse(before.participants) as Participant[];
    // A note is nobody's mail: it changes nobody's place on the conversation's mail.
    const participants = isInternal ? participantsBefore : await nextParticipants(tx, participantsBefore, before.customerEmail, input);
    const participantsChanged = !sameParticipants(participantsBefore, participants);

    const headers = mailHeadersOf(input, sender, isInternal, before, participants);
    let storedMessage = await insertMessage(tx, messageRow(before.id, sender, input, isInternal, now, headers));
    const attachmentRows = await insertAttachments(tx, storedMessage, attachments, now);
    await followAsAuthor(unit, Number(before.id), sender, now);
    const mentioned = isInternal
      ? await recordMentions(unit, {
          conversation: before,
          messageId: Number(storedMessage.id),
          body: input.body,
          explicit: input.mentions,
          author: sender,
          now,
        })
      : null;

    // Notes are for the team: they neither move the conversation up nor change its status.
    // Mail no person wrote (an out-of-office, list mail) is no activity either: the
    // conversation neither moves up nor shows "New reply" for it.
    const publicPatch: ConversationPatch =
      isInternal || input.auto
        ? {}
        : {
            lastMessageAt: now,
            lastMessagePreview: previewOf(input.body),
            ...(sender.kind === 'customer' ? { lastCustomerMessageAt: now } : {}),
            ...(sender.kind === 'admin' ? { lastReplyAt: now } : {}),
            ...(takesOver ? { tags: JSON.stringify(withoutBot(before)) } : {}),
          };
    let after = await writeConversation(unit, before, {
      messageCount: before.messageCount + 1,
      updatedAt: now,
      ...(participantsChanged ? { participants: JSON.stringify(participants) } : {}),
      ...publicPatch,
      ...statusPatch(before, change, now),
      ...(wakes ? SNOOZE_ENDED : {}),
      ...(blocked ? spamShelf(before, now) : {}),
    });
    if (blocked) await armSpamPurge(unit, Number(after.id), now);

    // A customer reopening it: its assignee, if gone, gives way to the rule's choice.
    const placement =
      change?.eventType === 'reopened' && sender.kind === 'customer' && ruleMayAct(unit, sender.origin) ? await placeReopened(unit, after, now) : null;
    await queueIfPlaced(unit, Number(after.id), placement, now);
    if (placement && 'assignTo' in placement) {
      after = await writeConversation(unit, after, { assignedTo: placement.assignTo });
      await followAs(unit, Number(after.id), [placement.assignTo], 'assigned', now);
    }

    const conversation = toConversation(after);
    const event = eventBy(sender, conversation.id, now);
    const events: NewEvent[] = [
      event(isInternal ? 'note_added' : 'replied', null, { messageId: Number(storedMessage.id), senderType: sender.kind, auto: input.auto ?? null }),
    ];
    if (participantsChanged) {
      events.push(
        event(
          'participants_changed',
          participantsBefore.map((p) => p.email),
          participants.map((p) => p.email),
        ),
      );
    }
    if (mentioned) events.push(mentioned);
    if (wakes) events.push(event('unsnoozed', { until: before.snoozedUntil }, { reason: 'customer' }));
    if (change) events.push(event(change.eventType, change.from, change.to));
    if (takesOver) events.push(event('escalated', { handler: 'bot' }, { handler: 'team', reason: 'team_replied' }));
    if (placement && 'assignTo' in placement) events.push(eventBy(placement.by, conversation.id, now)('assigned', before.assignedTo, placement.assignTo));
    if (blocked) events.push(blockedSenderEvent(conversation.id, now));
    const { deliveries } = await recordEvents(unit, events, conversation);
    storedMessage = await dropUnmailedHeaders(tx, storedMessage, deliveries, !input.email);
    const message = toMessage(storedMessage, attachmentRows, deliveries.get(Number(storedMessage.id)));
    return { conversation, message, created: true };
  });
}
