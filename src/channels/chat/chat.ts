import { randomBytes, createHash } from 'node:crypto';
import { addMessage, changeConversationCustomer, createConversation, escalateConversation, type MessageResult } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { DomainError, invalid } from '../../inbox/errors.js';
import { getConversation, getConversationMessages } from '../../inbox/queries.js';
import type { Conversation, Message } from '../../inbox/records.js';
import { BOT_TAG } from '../../inbox/rules.js';
import type { NewAttachment } from '../../store/messages.js';
import { customerOfExternalUser, findVisitorByTokenHash, insertVisitor, linkChat, listVisitorChats, missesOf, setMisses, updateVisitor } from '../../store/chat.js';
import type { ChatVisitorRow } from '../../store/chat.js';
import { transact } from '../../store/transaction.js';
import { findOrInsertUserByEmail, findUserById, renameUser } from '../../store/users.js';
import { botReply, type BotOptions } from './bot.js';
import { checkIdentity, type ClaimedIdentity, type IdentityPolicy } from './identity.js';

// The chat channel's adapter: a visitor's browser session, their messages turned into
// commands, and the bot's turn after each one while it still has the chat. Access is by
// visitor token, never by customer: typing someone's address into the widget labels the
// chat with that customer (as a From header does for mail) but shows nothing of theirs.

export type ChatContext = {
  inbox: InboxContext;
  identity: IdentityPolicy;
  /** Null: no bot; every chat goes straight to the team. */
  bot: BotOptions | null;
  botName: string;
};

export type Visitor = {
  id: number;
  customerId: number;
  /** What the visitor told us; null until they did (the customer then has a made-up name and address). */
  name: string | null;
  email: string | null;
  /** The customer's address, made up or not: who the chat is from. */
  address: string;
  customerName: string;
  externalUserId: string | null;
};

/** Addresses made up for visitors who gave none: `.invalid` can never receive mail (RFC 2606). */
export const PLACEHOLDER_DOMAIN = 'visitors.invalid';
/** Never "Unknown": an anonymous visitor is "Visitor 3F2A" to the team until they give a name. */
const PLACEHOLDER_NAME = 'Visitor ';
const isPlaceholder = (email: string) => email.endsWith(`@${PLACEHOLDER_DOMAIN}`);
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const HISTORY = 100;

export type SessionInput = { visitorToken?: string; name?: string; email?: string; identity?: ClaimedIdentity };
export type Session = { visitorToken: string; visitor: Visitor; conversation: Conversation | null; messages: Message[] };

async function toVisitor(tx: Parameters<typeof findUserById>[0], row: ChatVisitorRow): Promise<Visitor> {
  const customer = await findUserById(tx, Number(row.customerId));
  if (!customer) throw new Error(`visitor ${row.id} has no customer`);
  const madeUp = isPlaceholder(customer.email);
  return {
    id: Number(row.id),
    customerId: Number(customer.id),
    name: madeUp && customer.name.startsWith(PLACEHOLDER_NAME) ? null : customer.name,
    email: madeUp ? null : customer.email,
    address: customer.email,
    customerName: customer.name,
    externalUserId: row.externalUserId,
  };
}

function cleanName(name: string | undefined): string | undefined {
  const clean = name?.replace(/[\u0000-\u001F\u007F\s]+/g, ' ').trim();
  if (clean && clean.length > 200) throw invalid('name', 'name must be at most 200 characters');
  return clean || undefined;
}

/**
 * Starts or resumes a visitor's session. The customer behind it is, in order: the one a
 * verified identity names, the one the visitor's address names, the one this browser
 * already had, or a new one with a made-up address.
 */
export async function openSession(ctx: ChatContext, input: SessionInput): Promise<Session> {
  const checked = checkIdentity(ctx.identity, input.identity);
  if (checked.kind === 'refused') throw new DomainError('forbidden', `Signed identity refused: ${checked.reason}`, 'identity');
  const name = cleanName(input.name);
  const email = input.email?.trim() ? input.email.trim() : undefined;
  if (email !== undefined && !/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(email)) throw invalid('email', `"${email.slice(0, 80)}" is not an email address`);

  const existingToken = input.visitorToken && /^[A-Za-z0-9_-]{20,100}$/.test(input.visitorToken) ? input.visitorToken : null;
  const { token, visitor } = await transact(ctx.inbox.store, async (tx) => {
    const now = ctx.inbox.clock();
    const known = existingToken ? await findVisitorByTokenHash(tx, hashToken(existingToken)) : undefined;
    const verified = checked.kind === 'verified' ? checked : null;
    const givenEmail = verified?.email ?? email;
    const givenName = (verified?.name ?? undefined) || name;

    let customerId: number | null = null;
    if (givenEmail) {
      customerId = Number((await findOrInsertUserByEmail(tx, { name: givenName || givenEmail.split('@')[0]!, email: givenEmail, role: 'customer', now })).id);
    } else if (verified) {
      // A verified user without an address: the customer another device of theirs already has.
      customerId = await customerOfExternalUser(tx, verified.userId);
    }
    if (customerId === null && known) customerId = Number(known.customerId);
    if (customerId === null) {
      const placeholder = `visitor-${randomBytes(6).toString('hex')}@${PLACEHOLDER_DOMAIN}`;
      customerId = Number((await findOrInsertUserByEmail(tx, { name: givenName ?? `${PLACEHOLDER_NAME}${placeholder.slice(8, 12).toUpperCase()}`, email: placeholder, role: 'customer', now })).id);
    }
    if (givenName && !givenEmail) {
      // A name typed for the made-up customer of this browser names it; a real customer keeps theirs.
      const customer = await findUserById(tx, customerId);
      if (customer && isPlaceholder(customer.email) && customer.name !== givenName) await renameUser(tx, customerId, givenName, now);
    }

    const externalUserId = verified?.userId ?? known?.externalUserId ?? null;
    if (known && existingToken) {
      await updateVisitor(tx, Number(known.id), { customerId, externalUserId, lastSeenAt: now });
      return { token: existingToken, visitor: await toVisitor(tx, { ...known, customerId, externalUserId }) };
    }
    const fresh = randomBytes(32).toString('base64url');
    const row = await insertVisitor(tx, { tokenHash: hashToken(fresh), customerId, externalUserId, now });
    return { token: fresh, visitor: await toVisitor(tx, row) };
  });

  let conversation = await currentChat(ctx, visitor);
  if (conversation && isPlaceholder(conversation.customer.email) && visitor.email) {
    // They wrote before saying who they are: the chat is with them now, and the team's
    // answers can reach their mailbox (continuity).
    conversation = await changeConversationCustomer(ctx.inbox, { conversation: conversation.id, customer: { email: visitor.address, name: visitor.customerName }, by: { system: 'Chat' } });
  }
  const messages = conversation ? (await getConversationMessages(ctx.inbox, conversation.id, { includeInternal: false, newestFirst: true, limit: HISTORY })).items : [];
  return { visitorToken: token, visitor, conversation, messages };
}

/** The visitor behind a token, or null. */
export async function findVisitor(ctx: ChatContext, token: string | undefined): Promise<Visitor | null> {
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await findVisitorByTokenHash(ctx.inbox.store.db, hashToken(token));
  return row ? toVisitor(ctx.inbox.store.db, row) : null;
}

/** The visitor's latest chat unless it was closed (a new question starts a new one). */
export async function currentChat(ctx: ChatContext, visitor: Pick<Visitor, 'id' | 'externalUserId'>): Promise<Conversation | null> {
  const [latest] = await listVisitorChats(ctx.inbox.store.db, visitor, 1);
  if (!latest || latest.status === 'closed') return null;
  return getConversation(ctx.inbox, Number(latest.id));
}

/** Whether this visitor may see this conversation (their socket's filter). */
export async function visitorChatIds(ctx: ChatContext, visitor: Pick<Visitor, 'id' | 'externalUserId'>): Promise<Set<number>> {
  return new Set((await listVisitorChats(ctx.inbox.store.db, visitor, 1000)).map((row) => Number(row.id)));
}

const SUBJECT_WORDS = 10;
function subjectOf(body: string, files: readonly NewAttachment[]): string {
  const words = body.replace(/\s+/g, ' ').trim().split(' ');
  const subject = words.slice(0, SUBJECT_WORDS).join(' ') + (words.length > SUBJECT_WORDS ? '…' : '');
  return subject || (files[0] ? `Sent ${files[0].name}` : 'Chat');
}

export type ChatTurn = { conversation: Conversation; message: Message; replies: Message[] };

/** A visitor's message: into their open chat (or a new one), then the bot's turn if it still has the chat. */
export async function postVisitorMessage(ctx: ChatContext, visitor: Visitor, input: { body: string; attachments?: NewAttachment[]; requestId?: string }): Promise<ChatTurn> {
  const current = await currentChat(ctx, visitor);
  const content = { body: input.body, attachments: input.attachments, externalKey: input.requestId ? `chat:${visitor.id}:${input.requestId}` : undefined };
  let result: MessageResult;
  if (current) {
    // While the bot has the chat, the visitor's messages are the bot's to answer, not the team's.
    result = await addMessage(ctx.inbox, { conversation: current.id, from: { userId: visitor.customerId }, ...content, keepStatus: current.tags.includes(BOT_TAG) });
  } else {
    result = await createConversation(ctx.inbox, {
      channel: 'chatbot',
      // By address, not as the user: a chat is not opened signed in, so an account that has
      // not confirmed this address must not see it (inbox/policies.ts).
      from: { customerEmail: visitor.address, name: visitor.customerName },
      subject: subjectOf(input.body, input.attachments ?? []),
      withBot: ctx.bot !== null,
      ...content,
    });
    await transact(ctx.inbox.store, (tx) => linkChat(tx, result.conversation.id, visitor.id, ctx.inbox.clock()));
  }
  if (!result.created) return { conversation: result.conversation, message: result.message, replies: [] };
  const turn = await botTurn(ctx, result.conversation, input.body);
  return { conversation: turn.conversation ?? result.conversation, message: result.message, replies: turn.replies };
}

async function botTurn(ctx: ChatContext, conversation: Conversation, question: string): Promise<{ conversation: Conversation | null; replies: Message[] }> {
  // The bot speaks only while it has the chat; once a person has it, it stays silent.
  if (!ctx.bot || !conversation.tags.includes(BOT_TAG) || !question.trim()) return { conversation: null, replies: [] };
  const misses = await missesOf(ctx.inbox.store.db, conversation.id);
  const reply = await botReply(ctx.bot, { question, missesInARow: misses });
  const from = { bot: ctx.botName };
  const answered = await addMessage(ctx.inbox, { conversation: conversation.id, from, body: reply.text });
  await transact(ctx.inbox.store, (tx) => setMisses(tx, conversation.id, reply.kind === 'unsure' ? misses + 1 : 0));
  if (reply.kind !== 'handover') return { conversation: answered.conversation, replies: [answered.message] };
  const escalated = await escalateConversation(ctx.inbox, { conversation: conversation.id, reason: reply.reason, by: from });
  return { conversation: escalated, replies: [answered.message] };
}

/** "Talk to a person": the chat goes to the team now. Without a chat yet, the visitor's first message will start one with the team. */
export async function askForPerson(ctx: ChatContext, visitor: Visitor): Promise<{ conversation: Conversation | null; replies: Message[] }> {
  const current = await currentChat(ctx, visitor);
  if (!current || !current.tags.includes(BOT_TAG)) return { conversation: current, replies: [] };
  const from = { bot: ctx.botName };
  const said = await addMessage(ctx.inbox, { conversation: current.id, from, body: "Sure — I'm getting a person from the team. They'll answer here." });
  const conversation = await escalateConversation(ctx.inbox, { conversation: current.id, reason: 'asked', by: from });
  return { conversation, replies: [said.message] };
}
