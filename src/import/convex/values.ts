import type { Channel, Priority, Status } from '../../store/schema.js';

// The legacy app's values in Onethread's terms (issue 20): sensible defaults, and a note for
// the report whenever a value had to be guessed.

const STATUSES: Record<string, Status> = {
  open: 'open',
  new: 'open',
  in_progress: 'open',
  active: 'open',
  waiting: 'pending',
  pending: 'pending',
  on_hold: 'pending',
  hold: 'pending',
  resolved: 'resolved',
  solved: 'resolved',
  done: 'resolved',
  closed: 'closed',
  archived: 'closed',
};

const PRIORITIES: Record<string, Priority> = { low: 'low', normal: 'normal', medium: 'normal', high: 'high', urgent: 'urgent', critical: 'urgent' };

const key = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

export type Noted = (line: string) => void;

export function statusOf(value: string, note: Noted): Status {
  if (!value) return 'open';
  const found = STATUSES[key(value)];
  if (!found) note(`status "${value}" → open`);
  return found ?? 'open';
}

export function priorityOf(value: string, note: Noted): Priority {
  if (!value) return 'normal';
  const found = PRIORITIES[key(value)];
  if (!found) note(`priority "${value}" → normal`);
  return found ?? 'normal';
}

/** An inbox row's channel: `ticket` marks a copy of a ticket's message. */
export function channelOf(value: string): Channel | null {
  const k = key(value);
  if (['email', 'mail', 'e_mail'].includes(k)) return 'email';
  if (['chat', 'chatbot', 'widget', 'bot', 'livechat', 'web_chat'].includes(k)) return 'chatbot';
  if (['ticket', 'support', 'support_ticket'].includes(k)) return 'ticket';
  return null;
}

export type Author = 'customer' | 'admin' | 'bot';

/** Who wrote a message, from an `isAdmin`-like flag or a `senderType`/`role`-like word. */
export function authorOf(value: unknown): Author {
  if (value === true || value === 'true') return 'admin';
  if (typeof value !== 'string') return 'customer';
  const k = key(value);
  if (['admin', 'agent', 'staff', 'support', 'team', 'operator', 'owner'].includes(k)) return 'admin';
  if (['bot', 'assistant', 'ai', 'system'].includes(k)) return 'bot';
  return 'customer';
}

/** A name that says nobody: the design's "Unknown" senders. */
export const isNoName = (name: string) => !name.trim() || /^(unknown|anonymous|n\/a|null|undefined)$/i.test(name.trim());

/** Text compared for copies: case, spacing and punctuation do not make a message another. */
export const normalised = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
