import type { InboxContext } from '../../inbox/context.js';
import type { Conversation } from '../../inbox/records.js';
import { findConversationsByMessageIds, isParticipant } from '../../store/email.js';
import { threadTarget as existing } from './merged-thread.js';
import type { ParsedEmail } from './parse.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';

// Which conversation an inbound mail continues, in this order:
//   1. a signed reply address support+<token>@… in the envelope recipients, To, Cc,
//      Delivered-To or X-Original-To (a forged or stale token is ignored, not refused);
//   2. In-Reply-To, then References newest to oldest, in the table of every Message-ID we
//      received or generated;
//   3. the hidden marker [ot:<token>] of our outgoing mail, quoted in the reply;
//   4. the subject token [CONV-000123], only when the sender already takes part in that
//      conversation (its customer, one of its participants — Cc'd on its mail —, or the
//      author of one of its messages);
//   5. none: the caller starts a new conversation.
// A merged conversation found by any of these is followed to where it was merged into
// (merged-thread.ts): its mail continues there, and in it again once unmerged.

export type ThreadRule = 'reply-address' | 'in-reply-to' | 'references' | 'marker' | 'subject-token';
export type ThreadMatch = { conversation: Conversation; rule: ThreadRule };

export type ThreadingDeps = {
  inbox: InboxContext;
  tokens: ReplyTokens;
  support: SupportAddresses;
  /** Processes mails still waiting in the spool that carry these Message-IDs, so a reply never overtakes its parent. */
  settleParents?: (messageIds: string[]) => Promise<void>;
};

const SUBJECT_TOKEN = /\[CONV-(\d{1,15})\]/gi;

export async function findThread(
  deps: ThreadingDeps,
  mail: ParsedEmail,
  context: { envelopeTo: readonly string[]; senderEmail: string },
): Promise<ThreadMatch | null> {
  const { inbox: ctx, tokens, support } = deps;

  for (const address of [...context.envelopeTo, ...mail.headerRecipients]) {
    const tag = support.match(address)?.tag;
    const id = tag ? tokens.verify(tag) : null;
    const conversation = id === null ? null : await existing(ctx, id);
    if (conversation) return { conversation, rule: 'reply-address' };
  }

  const referenced = [...mail.inReplyTo, ...[...mail.references].reverse()].filter((id) => id !== mail.messageId);
  if (referenced.length > 0) {
    await deps.settleParents?.(referenced);
    const known = await findConversationsByMessageIds(ctx.store.db, referenced);
    for (const messageId of referenced) {
      const id = known.get(messageId);
      const conversation = id === undefined ? null : await existing(ctx, id);
      if (conversation) return { conversation, rule: mail.inReplyTo.includes(messageId) ? 'in-reply-to' : 'references' };
    }
  }

  const marked = tokens.findMarker(mail.text, mail.html);
  const byMarker = marked === null ? null : await existing(ctx, marked);
  if (byMarker) return { conversation: byMarker, rule: 'marker' };

  for (const match of mail.subject.matchAll(SUBJECT_TOKEN)) {
    const conversation = await existing(ctx, `CONV-${match[1]}`);
    const copied = conversation?.participants.some((p) => p.email === context.senderEmail.toLowerCase());
    if (conversation && (copied || (await isParticipant(ctx.store.db, conversation.id, context.senderEmail)))) {
      return { conversation, rule: 'subject-token' };
    }
  }
  return null;
}
