import { notFound } from '../../errors.js';
import { addMessage, createConversation, escalateConversation, type MessageResult, markSeenByCustomer } from '../../inbox/commands.js';
import { getMessageConversationId } from '../../inbox/queries.js';
import type { Conversation, Message } from '../../inbox/records.js';
import { BOT_TAG } from '../../inbox/rules.js';
import { linkChat, missesOf, setMisses } from '../../store/chat.js';
import type { NewAttachment } from '../../store/messages.js';
import { transact } from '../../store/transaction.js';
import { botReply } from './bot.js';
import { type ChatContext, currentChat, type Visitor, visitorChatIds } from './session.js';

// The chat channel's adapter: a visitor's messages turned into commands, and the bot's
// turn after each one while it still has the chat. Access is by visitor token, never by
// customer: typing someone's address into the widget labels the chat with that customer
// (as a From header does for mail) but shows nothing of theirs (session.ts).

export {
  type ChatContext,
  currentChat,
  findVisitor,
  openSession,
  PLACEHOLDER_DOMAIN,
  type Session,
  type SessionInput,
  type Visitor,
  visitorChatIds,
} from './session.js';

const SUBJECT_WORDS = 10;
function subjectOf(body: string, files: readonly NewAttachment[]): string {
  const words = body.replace(/\s+/g, ' ').trim().split(' ');
  const subject = words.slice(0, SUBJECT_WORDS).join(' ') + (words.length > SUBJECT_WORDS ? '…' : '');
  return subject || (files[0] ? `Sent ${files[0].name}` : 'Chat');
}

export type ChatTurn = { conversation: Conversation; message: Message; replies: Message[] };

/** A visitor's message: into their open chat (or a new one), then the bot's turn if it still has the chat. */
export async function postVisitorMessage(
  ctx: ChatContext,
  visitor: Visitor,
  input: { body: string; attachments?: NewAttachment[]; requestId?: string },
): Promise<ChatTurn> {
  const current = await currentChat(ctx, visitor);
  const content = { body: input.body, attachments: input.attachments, externalKey: input.requestId ? `chat:${visitor.id}:${input.requestId}` : undefined };
  let result: MessageResult;
  if (current) {
    // While the bot has the chat, the visitor's messages are the bot's to answer, not the team's.
    // As the customer the channel tied this browser to, never as a signed-in user: the
    // write path refuses it should that account have become a team member's.
    result = await addMessage(ctx.inbox, {
      conversation: current.id,
      from: { customerId: visitor.customerId },
      ...content,
      keepStatus: current.tags.includes(BOT_TAG),
    });
  } else {
    result = await createConversation(ctx.inbox, {
      channel: 'chatbot',
      // As the customer, not as a signed-in user: a chat is not opened signed in, so an
      // account that has not confirmed this address must not see it (inbox/policies.ts).
      from: { customerId: visitor.customerId },
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
  // The bot speaks only while it has the chat; once a person has it, it stays silent. A
  // blocked visitor's chat is in Spam: nobody answers it, the bot neither.
  if (!ctx.bot || !conversation.tags.includes(BOT_TAG) || conversation.shelf !== null || !question.trim()) return { conversation: null, replies: [] };
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
  if (!current || !current.tags.includes(BOT_TAG) || current.shelf !== null) return { conversation: current, replies: [] };
  const from = { bot: ctx.botName };
  const said = await addMessage(ctx.inbox, { conversation: current.id, from, body: "Sure — I'm getting a person from the team. They'll answer here." });
  const conversation = await escalateConversation(ctx.inbox, { conversation: current.id, reason: 'asked', by: from });
  return { conversation, replies: [said.message] };
}

/**
 * The visitor has had the team's and the bot's messages up to `upTo` in front of them (the
 * widget says so only for what was on screen). Any chat this visitor may see counts, so a
 * signed-in user's read on one device is their read on all: a reply read live is not mailed
 * again (continuity mails only what is still unread). A message of no chat of theirs is 404.
 */
export async function markSeen(ctx: ChatContext, visitor: Visitor, upTo: number): Promise<number> {
  const conversationId = await getMessageConversationId(ctx.inbox, upTo);
  if (conversationId === null || !(await visitorChatIds(ctx, visitor)).has(conversationId)) throw notFound('message');
  return (await markSeenByCustomer(ctx.inbox, { conversation: conversationId, customerId: visitor.customerId, upTo })).marked;
}
