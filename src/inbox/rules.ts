import { DomainError, invalid } from '../errors.js';
import { MAX_TAG_LENGTH, MAX_TAGS } from '../limits.js';
import { type Channel, type ConversationType, LABELS, type Label, type Priority, type SenderType, type Shelf, STATUSES, type Status } from '../store/schema.js';

// The inbox's rules as pure functions: how a message moves a conversation's status,
// which transitions an agent may make, and which counters a conversation counts in.

export type StatusChange = { from: Status; to: Status; eventType: 'status_changed' | 'resolved' | 'closed' | 'reopened' };

const ALLOWED: Record<Status, readonly Status[]> = {
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'pending', 'closed'],
  // Closed is final for the team's workflow; the way back is an explicit reopen.
  closed: ['open'],
};

export function statusEventType(from: Status, to: Status): StatusChange['eventType'] {
  if (to === 'resolved') return 'resolved';
  if (to === 'closed') return 'closed';
  if (from === 'resolved' || from === 'closed') return 'reopened';
  return 'status_changed';
}

/** An agent's explicit status change; null when it is already in that status. */
export function requestedStatusChange(from: Status, to: Status): StatusChange | null {
  if (from === to) return null;
  if (!ALLOWED[from].includes(to)) {
    throw new DomainError('invalid_transition', `a ${from} conversation cannot become ${to}; reopen it first`, 'status');
  }
  return { from, to, eventType: statusEventType(from, to) };
}

/**
 * What a new message does to the status: a customer's reply needs the team (open), the
 * team's public reply waits on the customer (pending); notes and bot answers change nothing.
 */
export function statusChangeForMessage(from: Status, sender: SenderType, isInternal: boolean, reopenClosed: boolean): StatusChange | null {
  if (isInternal || sender === 'bot') return null;
  if (sender === 'customer' && from === 'closed' && !reopenClosed) {
    throw new DomainError('invalid_transition', 'the conversation is closed; start a new one', 'conversationId');
  }
  const to: Status = sender === 'customer' ? 'open' : 'pending';
  return from === to ? null : { from, to, eventType: statusEventType(from, to) };
}

/** resolvedAt and closedAt after entering `to`: set on the way in, cleared on reopening. */
export function statusTimestamps(
  current: { resolvedAt: number | null; closedAt: number | null },
  to: Status,
  now: number,
): { resolvedAt: number | null; closedAt: number | null } {
  switch (to) {
    case 'resolved':
      return { resolvedAt: now, closedAt: null };
    case 'closed':
      return { resolvedAt: current.resolvedAt, closedAt: now };
    default:
      return { resolvedAt: null, closedAt: null };
  }
}

export type Countable = {
  status: Status;
  assignedTo: number | null;
  /** Absent: no team (bench/bulk-load.ts seeds conversations without one). */
  teamId?: number | null;
  channel: Channel;
  type: ConversationType;
  priority: Priority;
  labels: readonly string[];
  tags: readonly string[];
  /** Absent: not snoozed, not shelved (bench/bulk-load.ts). */
  snoozedAt?: number | null;
  shelf?: Shelf | null;
};

/**
 * The counter rows a conversation adds one to: one per sidebar view it belongs to, per
 * status. A shelved one (spam, merged) belongs to no view but its shelf's, so it counts
 * there only; a snoozed one stays in its views (it is `pending`) and in the Snoozed view.
 */
export function countKeys(c: Countable): string[] {
  const s = c.status;
  if (c.shelf) return [`state:${c.shelf}:${s}`];
  return [
    ...(c.snoozedAt != null ? [`state:snoozed:${s}`] : []),
    `status:${s}`,
    `assignee:${c.assignedTo ?? 'none'}:${s}`,
    `team:${c.teamId ?? 'none'}:${s}`,
    `channel:${c.channel}:${s}`,
    `type:${c.type}:${s}`,
    `priority:${c.priority}:${s}`,
    ...c.labels.map((l) => `label:${l}:${s}`),
    ...c.tags.map((t) => `tag:${t}:${s}`),
  ];
}

export function countDeltas(before: Countable | null, after: Countable | null): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const key of before ? countKeys(before) : []) deltas.set(key, (deltas.get(key) ?? 0) - 1);
  for (const key of after ? countKeys(after) : []) deltas.set(key, (deltas.get(key) ?? 0) + 1);
  for (const [key, n] of deltas) if (n === 0) deltas.delete(key);
  return deltas;
}

/** `conversation_tags` names for a conversation's labels and tags. */
export function tagRowNames(labels: readonly string[], tags: readonly string[]): string[] {
  return [...labels.map((l) => `label:${l}`), ...tags.map((t) => `tag:${t}`)];
}

/** How a tag is stored and looked up: `" Needs Review"` is `needs-review`. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '-');
}

/**
 * The tag of a chat the bot is still answering: the inbox's Bot view. A tag rather than a
 * status of its own, so the views, counters and filters that serve tags serve it too.
 */
export const BOT_TAG = 'bot';

export const withBot = (row: { tags: string }): boolean => (JSON.parse(row.tags) as string[]).includes(BOT_TAG);
export const withoutBot = (row: { tags: string }): string[] => (JSON.parse(row.tags) as string[]).filter((tag) => tag !== BOT_TAG);

export function normalizeTags(tags: readonly string[]): string[] {
  const normalized = [...new Set(tags.map(normalizeTag).filter(Boolean))];
  if (normalized.length > MAX_TAGS) throw invalid('tags', `at most ${MAX_TAGS} tags per conversation`);
  const tooLong = normalized.find((t) => t.length > MAX_TAG_LENGTH);
  if (tooLong) throw invalid('tags', `tag "${tooLong.slice(0, 20)}…" is longer than ${MAX_TAG_LENGTH} characters`);
  if (normalized.some((t) => t.includes(':'))) throw invalid('tags', 'tags cannot contain ":"');
  return normalized.sort();
}

export function normalizeLabels(labels: readonly string[]): Label[] {
  const unknown = labels.find((l) => !(LABELS as readonly string[]).includes(l));
  if (unknown !== undefined) throw invalid('labels', `unknown label "${unknown}"; labels are ${LABELS.join(', ')}`);
  return LABELS.filter((l) => labels.includes(l));
}

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

/**
 * Text as stored: without control characters other than tab and line breaks. PostgreSQL
 * refuses NUL in text, and search uses the others as its own markers.
 */
export function storableText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

// Control and format characters (bidi overrides, zero-width), line and paragraph separators:
// the same class attachment names are cleaned of (attachments/names.ts).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A subject or a name as shown: one line, without characters that make text read other
 * than it is stored (a right-to-left override turning "gpj.exe" around, zero-width joins
 * hiding a look-alike name). Whitespace runs become one space.
 */
export function singleLine(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
}

/** One line of text for the inbox list. */
export function previewOf(body: string): string {
  return storableText(body).replace(/\s+/g, ' ').trim().slice(0, 160);
}
