import { DomainError, invalid } from '../../errors.js';
import { MAX_BODY, MAX_HTML_BODY } from '../../limits.js';
import { findConversation, findTeamAddresses } from '../../store/conversations.js';
import { findDelivery } from '../../store/deliveries.js';
import { findMessageByExternalKey, listAttachments, type NewAttachment, updateMessageMailHeaders } from '../../store/messages.js';
import type { Channel, ConversationRow, DeliveryRow, MessageAuto, MessageRow, NewMessageRow } from '../../store/schema.js';
import { isUniqueViolation, type Tx } from '../../store/transaction.js';
import { messageHtml } from '../../text/markdown.js';
import type { MessageSender } from '../actors.js';
import { placeholdersIn } from '../canned/placeholders.js';
import { candidateAddresses, mergeParticipants, type Person, participantList, plannedHeaders } from '../participants.js';
import { isTeam } from '../policies.js';
import { type Conversation, type MailHeaders, type Message, type Participant, toConversation, toMessage } from '../records.js';
import { storableText } from '../rules.js';
import { type CommandTarget, runCommand, type Unit } from './unit.js';

// What the two message commands (messages.ts) share: the content they take, its checks,
// the row it becomes, whom its mail goes to, and idempotency by key.

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

/** A command's message and its conversation; `created` is false when the idempotency key had been seen. */
export type MessageResult = { conversation: Conversation; message: Message; created: boolean };

export function checkContent(body: string, htmlBody: string | null | undefined, attachments: readonly NewAttachment[]): void {
  if (!body.trim() && !htmlBody?.trim() && attachments.length === 0) throw invalid('body', 'body is required');
  if (body.length > MAX_BODY) throw new DomainError('too_large', `body exceeds ${MAX_BODY} characters`, 'body');
  if (htmlBody && htmlBody.length > MAX_HTML_BODY) throw new DomainError('too_large', `htmlBody exceeds ${MAX_HTML_BODY} characters`, 'htmlBody');
}

/**
 * Runs a command that stores a message under an optional idempotency key: a key seen
 * before returns the first result. Two units racing with one key both miss the lookup;
 * the loser's insert hits the unique key, which fails its unit, and inUnit runs it once
 * more, finding the winner's (unit.ts). The caller's receipt is written with whichever
 * result it gets, in the same transaction.
 */
export function runMessageCommand(
  target: CommandTarget,
  input: Pick<MessageContent, 'externalKey' | 'receipt'>,
  work: (unit: Unit, now: number) => Promise<MessageResult>,
): Promise<MessageResult> {
  const { externalKey: key, receipt } = input;
  return runCommand(target, async (unit, now) => {
    let result = await findByExternalKey(unit, key);
    if (!result) {
      try {
        result = await work(unit, now);
      } catch (error) {
        if (key !== undefined && isUniqueViolation(error)) unit.lostKeyRace();
        throw error;
      }
    }
    await receipt?.(unit.tx, result);
    return result;
  });
}

async function findByExternalKey(unit: Unit, externalKey: string | undefined): Promise<MessageResult | null> {
  if (externalKey === undefined) return null;
  const { tx } = unit;
  const message = await findMessageByExternalKey(tx, externalKey);
  if (!message) return null;
  const row = await findConversation(tx, unit.ctx.store.dialect, { id: Number(message.conversationId) });
  if (!row) return null;
  // A replayed request answers the first message as it was, files included.
  const attachments = await listAttachments(tx, [Number(message.id)]);
  const delivery = await findDelivery(tx, Number(message.id));
  return { conversation: toConversation(row), message: toMessage(message, attachments, delivery), created: false };
}

/**
 * A team member's public message must not reach the customer with a canned reply's
 * placeholder left in it. Notes are the team's, a customer's own text is theirs, and a mail
 * an agent already sent (`email`) cannot be unsent, so only what we are about to send is refused.
 */
export function refusePlaceholders(content: MessageContent, sender: MessageSender, isInternal: boolean): void {
  if (isInternal || !isTeam(sender) || content.email) return;
  const left = placeholdersIn(`${content.body}\n${content.htmlBody ?? ''}`);
  if (left.length > 0) throw invalid('body', `fill in ${left.join(', ')} before sending: the customer would get it as written`);
}

export function messageRow(
  conversationId: number,
  sender: MessageSender,
  content: MessageContent,
  isInternal: boolean,
  now: number,
  mailHeaders: MailHeaders | null,
): NewMessageRow {
  refusePlaceholders(content, sender, isInternal);
  return {
    conversationId,
    senderId: sender.id,
    senderType: sender.kind,
    senderName: sender.name,
    senderEmail: sender.email,
    body: storableText(content.body),
    htmlBody: htmlOf(content, sender),
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
 * A team member writes Markdown (the composer's toolbar): its body stays the source, which
 * is the mail's text part, and the HTML is rendered from it. Nobody else's text is: a
 * customer never saw a Markdown editor, so `**x**`, `_x_` or `1.` in what they wrote are
 * their own characters, and reading them as formatting would change what they said (their
 * mail's HTML is their mail client's, sanitised where it arrives). The bot's answers and the
 * system's notices are plain text, and a mail a team address sent (`email`) brings its own.
 */
function htmlOf(content: MessageContent, sender: MessageSender): string | null {
  if (content.htmlBody) return storableText(content.htmlBody);
  if (!isTeam(sender) || content.email || content.auto) return null;
  const html = messageHtml(content.body);
  // Too long to render is still a message: it goes as the text it is.
  return html && html.length <= MAX_HTML_BODY ? storableText(html) : null;
}

/**
 * The conversation's participants after a message: an agent's Cc replaces them (checked
 * strictly), the addresses of a mail join them (leniently). Never the customer, nor a team member.
 */
export async function nextParticipants(
  tx: Tx,
  current: readonly Participant[],
  customerEmail: string,
  input: { cc?: Person[]; copied?: Person[] },
): Promise<Participant[]> {
  const people = [...(input.cc ?? []), ...(input.copied ?? [])];
  if (input.cc === undefined && people.length === 0) return [...current];
  const teamAddresses = await findTeamAddresses(tx, candidateAddresses(people));
  const rules = { exclude: [customerEmail], teamAddresses };
  // An address the agent keeps keeps the name its mail gave it.
  const named = input.cc?.map((p) => ({ ...p, name: p.name ?? current.find((c) => c.email === p.email.trim().toLowerCase())?.name }));
  const base = named ? participantList(named, { ...rules, strict: true, field: 'cc' }) : [...current];
  return input.copied?.length ? mergeParticipants(base, participantList(input.copied, { ...rules, strict: false, field: 'copied' })) : base;
}

export function checkCc(cc: readonly Person[] | undefined, channel: Channel, isInternal: boolean): void {
  if (cc === undefined) return;
  if (isInternal) throw invalid('cc', 'an internal note is not mailed, so it copies nobody');
  if (channel !== 'email') throw invalid('cc', 'only email conversations copy people (Cc)');
}

/**
 * The headers a message's mail will go with: an agent's public message on an email
 * conversation is mailed To the customer and Cc the participants (planners.ts), so it
 * carries them from the start; a mail received brings its own.
 */
export function mailHeadersOf(
  content: MessageContent,
  sender: MessageSender,
  isInternal: boolean,
  conversation: ConversationRow,
  participants: readonly Participant[],
): MailHeaders | null {
  if (content.email) return content.email;
  if (isInternal || sender.kind !== 'admin' || conversation.channel !== 'email') return null;
  return plannedHeaders({ email: conversation.customerEmail, name: conversation.customerName }, participants);
}

/** Planned headers stay only on a message a job will mail (none when this server sends no mail). */
export async function dropUnmailedHeaders(tx: Tx, message: MessageRow, deliveries: Map<number, DeliveryRow>, planned: boolean): Promise<MessageRow> {
  if (!planned || message.mailHeaders === null || deliveries.has(Number(message.id))) return message;
  await updateMessageMailHeaders(tx, Number(message.id), null);
  return { ...message, mailHeaders: null };
}
