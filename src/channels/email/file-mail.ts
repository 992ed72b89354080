import type { AttachmentStorage } from '../../attachments/index.js';
import { DomainError } from '../../errors.js';
import {
  type AddMessageInput,
  addMessage,
  createConversation,
  inUnit,
  linkFollowUp,
  type MessageContent,
  type MessageResult,
  recordDelivery,
} from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import type { Conversation, MailHeaders } from '../../inbox/records.js';
import { MAX_SUBJECT } from '../../limits.js';
import type { Store } from '../../store/database.js';
import {
  countInboundFromSender,
  findConversationsByMessageIds,
  findFollowUp,
  type InboundOutcome,
  type InboundRow,
  isTeamAddress,
  type MessageIdRecord,
  markOutboundBounced,
  saveFollowUp,
} from '../../store/email.js';
import type { MessageAuto } from '../../store/schema.js';
import type { Tx } from '../../store/transaction.js';
import { existingConversation } from './existing-conversation.js';
import { mailContent } from './mail-content.js';
import { threadTarget } from './merged-thread.js';
import { type MailAddress, type ParsedEmail, parseEmail } from './parse.js';
import { escapeHtml } from './quotes.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { findThread, type ThreadMatch } from './threading.js';

// Processing one stored mail into the inbox: parse it, sort out what must not become a
// message (our own mail → ignored, a flood → failed), then file it — a bounce with the
// mail it returns (marking that mail's delivery failed), a reply in its thread
// (threading.ts), anything else as a new conversation — through the inbox commands, whose
// transaction also marks the mail's row processed (the command's receipt), and with the
// mail's key as the message's idempotency key, so a mail filed twice is stored once.
//
// Mail no person wrote (auto-replies, out-of-office, bulk, bounces; noise.ts) is stored
// and flagged but changes no conversation's status: an out-of-office answer to our reply
// must not reopen a conversation that waits on the customer, nor a closed one.
//
// Mail from a team member's address is not theirs (see TEAM_ADDRESS below).

export type FileMailDeps = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  maxBytes: number;
  attachments: AttachmentStorage | null;
  flood: { count: number; windowMs: number };
  clock: () => number;
  /** Files the earlier mails that carry these Message-IDs first, so a reply never overtakes its parent. */
  settleParents: (messageIds: string[]) => Promise<void>;
  /** Writes how the mail was filed onto its row (in the transaction it is given). */
  record: (tx: Tx, filed: Pick<Filed, 'outcome' | 'messageIds'>) => Promise<void>;
};

/** How a mail was filed; `recorded` when its row says so already (written with its message). */
export type Filed = { outcome: InboundOutcome; messageIds: MessageIdRecord[]; recorded: boolean };

const EMAIL_SYSTEM = { system: 'Email' } as const;
const BOUNCE_NOTICE = { bot: 'Mail Delivery System' } as const;

const TEAM_ADDRESS_NOT_FILED =
  "from a team address, not verified: not filed; mail from a team member's address is kept only as an internal note in a conversation it continues, " +
  'and this one continues none (a new conversation would have the team member as its customer). ' +
  "To file a customer's mail, redirect it to the support address (which keeps the customer's From) rather than forward it, " +
  "or start the conversation in the inbox with the customer's address; reprocessing decides the same way";

export async function fileMail(deps: FileMailDeps, row: InboundRow, raw: Buffer, options: { ignoreFloodLimit?: boolean }): Promise<Filed> {
  const { store, support } = deps;
  const envelopeTo = JSON.parse(row.envelopeTo) as string[];
  const mail = await parseEmail(raw, { from: row.envelopeFrom });
  const flags = {
    subject: mail.subject.slice(0, MAX_SUBJECT) || null,
    isAutoReply: mail.noise.isAutoReply ? 1 : 0,
    isBounce: mail.noise.isBounce ? 1 : 0,
    isBulk: mail.noise.isBulk ? 1 : 0,
    noiseReason: mail.noise.reasons.join('; ') || null,
    senderName: mail.from?.name ?? null,
  };
  const done = (outcome: InboundOutcome): Filed => ({ outcome, messageIds: [], recorded: false });
  if (!mail.from) {
    return done({ status: 'failed', ...flags, error: 'no usable sender address: From, Sender, Reply-To and the envelope sender are missing or not addresses' });
  }
  const sender = mail.from.address;
  if (support.isOwn(sender)) return done({ status: 'ignored', ...flags, senderEmail: sender, error: 'sent from one of our own addresses' });

  if (!options.ignoreFloodLimit) {
    // Mails are processed in arrival order, so the earlier ones of the window carry their sender already; +1 is this one.
    const recent = 1 + (await countInboundFromSender(store.db, sender, row.receivedAt - deps.flood.windowMs, row.receivedAt));
    if (recent > deps.flood.count) {
      return done({
        status: 'failed',
        ...flags,
        senderEmail: sender,
        error: `suspended: more than ${deps.flood.count} mails from ${sender} within ${Math.round(deps.flood.windowMs / 60_000)} minutes (flood); reprocess to let it in`,
      });
    }
  }

  // TEAM_ADDRESS. SMTP signs nobody in, so a From header naming a team member proves
  // nothing: anyone can write it, and conversation numbers are sequential. Mail from a team
  // address is never filed as that member's words (nor as a customer's: the commands refuse
  // a team address as a customer). Continuing a conversation (threading.ts, or the one a
  // bounce returns), it becomes an internal note: no sender id, named "<name> (by email, not
  // verified)", its text led by "Sent by email from <address>, not verified." — the team sees
  // it, the customer does not, it changes no status and is never mailed (planners.ts mails
  // public replies only). Continuing none, it is not filed (quarantine): `failed`, in the
  // admins' failed list with what they can do; an auto-reply, list mail or bounce is noise
  // and only `ignored`.
  const team = await isTeamAddress(store.db, sender);
  const content = await mailContent(mail, deps.attachments, deps.maxBytes);
  const filed = (result: MessageResult): Pick<Filed, 'outcome' | 'messageIds'> => ({
    outcome: {
      status: 'processed',
      ...flags,
      senderEmail: sender,
      conversationId: result.conversation.id,
      messageRowId: result.message.id,
      fullText: content.fullText,
    },
    messageIds: mail.messageId
      ? [
          {
            messageId: mail.messageId,
            exactId: mail.exactMessageId ?? mail.messageId,
            conversationId: result.conversation.id,
            messageRowId: result.message.id,
            direction: 'in',
          },
        ]
      : [],
  });
  // The row's outcome and the Message-ID go in the command's own transaction (its unit of
  // work, with whatever else filing the mail writes). Filed again, the command's
  // idempotency key returns the stored message.
  let recorded = false;
  const receipt = async (tx: Tx, result: MessageResult) => {
    await deps.record(tx, filed(result));
    recorded = true;
  };
  const message: MessageContent = {
    body: content.body,
    htmlBody: content.htmlBody,
    attachments: content.attachments,
    sentAt: mail.sentAt,
    externalKey: `email:${row.dedupeKey}`,
    auto: autoKind(mail),
    email: mailHeaders(mail),
    // Whoever else the mail was written to (or who wrote it, replying in someone's thread)
    // joins the conversation's participants; the commands leave out its customer and the
    // team. Mail no person wrote and mail claiming a team address add nobody.
    copied:
      isNoise(mail) || team
        ? []
        : [mail.from, ...mail.to, ...mail.cc].filter((a) => !support.isOwn(a.address)).map((a) => ({ email: a.address, name: a.name })),
  };
  const result = await write(deps, mail, message, envelopeTo, receipt, team);
  if (!result) return done({ status: isNoise(mail) ? 'ignored' : 'failed', ...flags, senderEmail: sender, error: TEAM_ADDRESS_NOT_FILED });
  return { ...filed(result), recorded };
}

const person = (a: MailAddress) => ({ email: a.address, name: a.name });

/** From, To and Cc as the mail came, for the team to see who it went to. */
function mailHeaders(mail: ParsedEmail): MailHeaders {
  return { from: mail.from && person(mail.from), to: mail.to.map(person), cc: mail.cc.map(person) };
}

const isNoise = (mail: ParsedEmail) => mail.noise.isAutoReply || mail.noise.isBulk || mail.noise.isBounce;

/** What kind of machine wrote the mail, for the inbox to show it as such; a bounce is also an automatic reply, so it is named first. */
function autoKind(mail: ParsedEmail): MessageAuto | undefined {
  if (mail.noise.isBounce) return 'bounce';
  if (mail.noise.isAutoReply) return 'auto_reply';
  if (mail.noise.isBulk) return 'bulk';
  return undefined;
}

/**
 * Files the mail: a bounce with the mail it returns, a reply in its thread, anything else
 * as a new conversation; from a team address only as a note (null: it continues nothing).
 */
async function write(
  deps: FileMailDeps,
  mail: ParsedEmail,
  message: MessageContent,
  envelopeTo: string[],
  receipt: MessageContent['receipt'],
  team: boolean,
): Promise<MessageResult | null> {
  const { inbox: ctx, store } = deps;
  const from = { customerEmail: mail.from!.address, name: mail.from!.name };
  const noise = isNoise(mail);
  const note = team ? unverifiedNote(message, mail.from!) : null;

  if (mail.noise.isBounce && mail.bounced.length > 0) {
    const known = await findConversationsByMessageIds(store.db, mail.bounced);
    for (const bouncedId of mail.bounced) {
      const conversationId = known.get(bouncedId);
      // The bounced message moved with a merge: its note goes where the message now is.
      const conversation = conversationId === undefined ? null : await threadTarget(ctx, conversationId);
      if (!conversation) continue;
      const error = `bounced: ${mail.subject || 'delivery failure'}`.slice(0, 500);
      // The failed delivery and the note that tells of it commit together, or neither does.
      return inUnit(ctx, async (unit) => {
        const outbound = await markOutboundBounced(unit.tx, bouncedId, error);
        if (outbound)
          await recordDelivery(unit, { messageId: Number(outbound.messageRowId), status: 'failed', error, attempts: outbound.attempts, by: EMAIL_SYSTEM });
        if (note) return addMessage(unit, { ...note, receipt, conversation: conversation.id });
        // A note for the team under a fixed name: a bounce is news for the team, not the customer
        // speaking, and anyone who knows a thread's Message-ID can write one, so its text and
        // its sender's name never reach the customer. It changes no status.
        return addMessage(unit, { ...message, receipt, conversation: conversation.id, from: BOUNCE_NOTICE, isInternal: true });
      });
    }
  }

  const match = await findThread({ inbox: ctx, tokens: deps.tokens, support: deps.support, settleParents: deps.settleParents }, mail, {
    envelopeTo,
    senderEmail: mail.from!.address,
  });
  if (match) {
    const target = await followUpOf(deps, match);
    // A note changes no status, so it stays where it belongs, closed or not.
    if (note) return addMessage(ctx, { ...note, receipt, conversation: target.id });
    // Noise is stored where it belongs, closed or not: it asks nothing of anyone.
    if (noise || target.status !== 'closed' || ctx.reopenClosedOnCustomerReply) {
      try {
        return await addMessage(ctx, { ...message, receipt, conversation: target.id, from, keepStatus: noise });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'invalid_transition')) throw error;
      }
    }
    // A reply to a closed conversation (that must not reopen): a new one, linked to it, in one
    // unit with the mail's row: all of it commits, or none and the mail is filed again. (A
    // follow-up filed before the link was one unit is linked when its mail is filed again.)
    return inUnit(ctx, async (unit) => {
      const created = await createConversation(unit, { ...message, receipt, from, channel: 'email', subject: subjectOf(mail, target.subject) });
      if (created.conversation.id !== target.id) {
        const linked = (await findFollowUp(unit.tx, target.id)) === created.conversation.id;
        if (created.created || !linked) {
          await linkFollowUp(unit, { conversation: target.id, followUp: created.conversation.id, by: EMAIL_SYSTEM });
          await saveFollowUp(unit.tx, target.id, created.conversation.id, deps.clock());
        }
      }
      return created;
    });
  }
  if (note) return null;
  return createConversation(ctx, { ...message, receipt, from, channel: 'email', subject: subjectOf(mail, null) });
}

/** The mail as an internal note under the team address it claims, marked in its text (and HTML) as not verified. */
function unverifiedNote(message: MessageContent, sender: MailAddress): Omit<AddMessageInput, 'conversation'> {
  const marker = `Sent by email from ${sender.address}, not verified.`;
  return {
    ...message,
    body: message.body ? `${marker}\n\n${message.body}` : marker,
    htmlBody: message.htmlBody ? `<p><strong>${escapeHtml(marker)}</strong></p>${message.htmlBody}` : null,
    from: { unverifiedEmail: sender.address, name: sender.name },
    isInternal: true,
  };
}

/** A closed conversation that was already continued elsewhere: continue there. */
async function followUpOf(deps: FileMailDeps, match: ThreadMatch): Promise<Conversation> {
  let conversation = match.conversation;
  for (let hops = 0; hops < 10 && conversation.status === 'closed'; hops++) {
    const next = await findFollowUp(deps.store.db, conversation.id);
    const found = next === null ? null : await existingConversation(deps.inbox, next);
    if (!found) break;
    conversation = found;
  }
  return conversation;
}

function subjectOf(mail: ParsedEmail, fallback: string | null): string {
  const subject = mail.subject.replace(/\s*\[CONV-\d{1,15}\]\s*/gi, ' ').trim();
  return (subject || fallback || '(no subject)').slice(0, MAX_SUBJECT);
}
