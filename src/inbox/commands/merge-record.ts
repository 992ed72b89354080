import type { MessageFacts } from '../../store/merges.js';
import type { ConversationRow } from '../../store/schema.js';
import { previewOf } from '../rules.js';

// What a merge writes down so that its unmerge is exact (conversation_merges.record), and
// the conversation fields derived from messages, computed the way the message commands
// keep them (commands/messages.ts): notes and machine mail move nothing up.

export const DERIVED = ['messageCount', 'lastMessagePreview', 'firstMessageAt', 'lastMessageAt', 'lastCustomerMessageAt', 'lastReplyAt'] as const;
export type Derived = Pick<ConversationRow, (typeof DERIVED)[number]>;

/** The source's own fields a merge changes: all of them come back on unmerge. */
export const RESTORED = [...DERIVED, 'status', 'resolvedAt', 'closedAt', 'snoozedAt', 'snoozedUntil', 'snoozedBy', 'shelf', 'shelvedAt', 'mergedInto'] as const;
export type Restored = Pick<ConversationRow, (typeof RESTORED)[number]>;

export type MergeRecord = {
  /** The source's messages, moved to the target and back by these ids only. */
  messageIds: number[];
  source: Restored;
  /** The target's derived fields before and right after the merge. */
  target: { before: Derived; after: Derived };
  /** What the merge added to the target that it did not have: removed again on unmerge. */
  added: { tags: string[]; labels: string[]; participants: string[]; followers: number[] };
  /** The source's snooze wake-up, cancelled by the merge and armed again on unmerge. */
  snoozeTimer: { kind: string; dueAt: number; payload: unknown } | null;
};

export function pick<K extends keyof ConversationRow>(row: ConversationRow, keys: readonly K[]): Pick<ConversationRow, K> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<ConversationRow, K>;
}

export const sameDerived = (a: Derived, b: Derived) => DERIVED.every((k) => a[k] === b[k]);

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Both conversations' derived fields as one: the values themselves, so the result is what adding B's messages one by one to A would have made. */
export function combineDerived(a: Derived, b: Derived): Derived {
  const bLater = b.lastMessageAt > a.lastMessageAt;
  return {
    messageCount: a.messageCount + b.messageCount,
    lastMessagePreview: bLater ? b.lastMessagePreview : a.lastMessagePreview,
    firstMessageAt: Math.min(a.firstMessageAt, b.firstMessageAt),
    lastMessageAt: Math.max(a.lastMessageAt, b.lastMessageAt),
    lastCustomerMessageAt: later(a.lastCustomerMessageAt, b.lastCustomerMessageAt),
    lastReplyAt: later(a.lastReplyAt, b.lastReplyAt),
  };
}

/**
 * The derived fields of these messages (oldest first). The first message counts whatever
 * it is, as createConversation counts it; after it, only people's public messages do.
 */
export function deriveFromMessages(facts: readonly MessageFacts[], fallback: Derived): Derived {
  const [first] = facts;
  if (!first) return { ...fallback, messageCount: 0 };
  const counted = facts.filter((m) => m === first || (m.isInternal === 0 && m.auto === null));
  const latest = counted.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.id > a.id) ? b : a));
  const lastBy = (kind: string) => counted.filter((m) => m.senderType === kind).reduce<number | null>((at, m) => later(at, m.createdAt), null);
  return {
    messageCount: facts.length,
    lastMessagePreview: previewOf(latest.body),
    firstMessageAt: Math.min(...facts.map((m) => m.sentAt)),
    lastMessageAt: latest.createdAt,
    lastCustomerMessageAt: lastBy('customer'),
    lastReplyAt: lastBy('admin'),
  };
}
