import { MAX_TAG_LENGTH, MAX_TAGS } from '../../limits.js';
import type { Channel, Priority, Status } from '../../store/schema.js';

// Zendesk's values in Onethread's terms (issue 20). An unknown value takes the default and
// leaves a note for the report.

type Noted = (line: string) => void;

const STATUSES: Record<string, Status> = { new: 'open', open: 'open', pending: 'pending', hold: 'pending', solved: 'resolved', closed: 'closed' };
const PRIORITIES: Record<string, Priority> = { low: 'low', normal: 'normal', high: 'high', urgent: 'urgent' };
const CHATS = new Set(['chat', 'messaging', 'native_messaging', 'chat_transcript']);

export function statusOf(value: string, note: Noted): Status {
  const found = STATUSES[value];
  if (!found) note(`status "${value}" → open`);
  return found ?? 'open';
}

/** Null is Zendesk's "no priority set": normal here. */
export function priorityOf(value: string | null | undefined, note: Noted): Priority {
  if (!value) return 'normal';
  const found = PRIORITIES[value];
  if (!found) note(`priority "${value}" → normal`);
  return found ?? 'normal';
}

/** `via.channel`: mail stays mail, chats and messaging are chat history, the rest (web, api, voice, …) tickets. */
export function channelOf(via: string | null | undefined): Channel {
  if (via === 'email') return 'email';
  if (via && CHATS.has(via)) return 'chatbot';
  return 'ticket';
}

/** A satisfaction rating as a CSAT score: Zendesk's good and bad are the scale's ends; offered/unoffered are no answer. */
export function ratingOf(score: string | null | undefined): 1 | 5 | null {
  return score === 'good' ? 5 : score === 'bad' ? 1 : null;
}

export const isAgent = (role: string | null | undefined) => role === 'agent' || role === 'admin';

export const time = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
};

/**
 * A ticket's type (question, incident, …) and tags as tags here, within this side's limits:
 * `:` (which tags here cannot hold) becomes `-`; what is too long or too many is dropped, noted.
 */
export function tagsOf(type: string | null | undefined, tags: readonly string[], note: Noted): string[] {
  const all = [...new Set([...(type ? [type] : []), ...tags].map((t) => t.replaceAll(':', '-')))];
  const kept = all.filter((t) => t.length <= MAX_TAG_LENGTH).slice(0, MAX_TAGS);
  if (kept.length < all.length) note(`tickets with more than ${MAX_TAGS} tags or tags longer than ${MAX_TAG_LENGTH} characters kept the first that fit`);
  return kept;
}
