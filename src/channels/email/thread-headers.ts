import { createHash } from 'node:crypto';
import type { Store } from '../../store/database.js';
import { listConversationMessageIds } from '../../store/email.js';

// The headers that make our mail thread in the customer's client, and make their answer
// thread back into the conversation: our own Message-IDs, In-Reply-To, References and
// the `Re: … [CONV-000123]` subject.

/** References per RFC 5322 §3.6.4, trimmed as many clients do: the first id and the last ten. */
export function referencesFor(ids: readonly string[]): string[] {
  return ids.length <= 11 ? [...ids] : [ids[0]!, ...ids.slice(-10)];
}

export function replySubject(subject: string, number: string): string {
  const base = subject.replace(/\s*\[CONV-\d{1,15}\]\s*/gi, ' ').trim();
  const re = /^(re|aw|sv|antw|vs)\s*:/i.test(base) ? base : `Re: ${base}`;
  return `${re} [${number}]`;
}

/** The first mail of a conversation we start: nothing to reply to, so no "Re:". */
export function newSubject(subject: string, number: string): string {
  return `${subject.replace(/\s*\[CONV-\d{1,15}\]\s*/gi, ' ').trim()} [${number}]`;
}

/**
 * A Message-ID of our own form for whatever `parts` name (a message row, a job): the same
 * parts give the same id, so every attempt at one mail carries one id.
 */
export function ourMessageId(domain: string, label: string, parts: readonly (string | number)[]): string {
  const hash = createHash('sha256')
    .update([domain, ...parts].join(':'))
    .digest('hex')
    .slice(0, 12);
  return `onethread.${label}.${hash}@${domain}`;
}

/**
 * In-Reply-To and References for a mail in this conversation: In-Reply-To the customer's
 * last mail (or, in a conversation they never mailed, our last one), References the
 * thread's ids in the order seen.
 */
export async function threadHeaders(store: Store, conversationId: number, ownId: string): Promise<{ inReplyTo?: string; references: string[] }> {
  const thread = (await listConversationMessageIds(store.db, conversationId)).filter((id) => id.messageId !== ownId.toLowerCase());
  const parent = [...thread].reverse().find((id) => id.direction === 'in') ?? thread.at(-1);
  return {
    inReplyTo: parent ? `<${parent.exactId}>` : undefined,
    references: referencesFor(thread.map((id) => id.exactId)).map((id) => `<${id}>`),
  };
}
