import { type ConversationEvent, LABEL_NAMES, type Label, PRIORITY_NAMES, type Priority, STATUS_NAMES, type Status, type User } from '../api/types';

import { describeSnooze } from './snooze-time';

// Audit events as one line of the thread: "Ana assigned this to Ben", "status: pending → open".

/** Events the thread already shows on messages: the messages themselves, and an email reply's delivery badge. */
const SHOWN_ON_MESSAGES = new Set(['created', 'replied', 'note_added', 'delivery_updated']);

const status = (value: unknown) => STATUS_NAMES[value as Status] ?? String(value);

const STATUS_EVENTS = new Set(['status_changed', 'resolved', 'closed', 'reopened']);

/**
 * The status events a message caused: every reply flips open ↔ pending, and a line for
 * each would bury a live chat. The write path (inbox/commands.ts addMessage) records such a
 * change in the message's own transaction, right after its `replied` event, by the same
 * actor at the same instant; a change an agent makes themselves is a command of its own, so
 * it has no `replied` twin and still shows. The audit trail keeps them all.
 */
export function statusEventsCausedByMessages(events: readonly ConversationEvent[]): Set<number> {
  const replies = new Map<string, number>();
  const caused = new Set<number>();
  const twin = (e: ConversationEvent) => `${e.createdAt}:${e.performedBy ?? ''}:${e.performedByName}`;
  for (const event of events) {
    if (event.eventType === 'replied') replies.set(twin(event), event.id);
    else if (STATUS_EVENTS.has(event.eventType) && (replies.get(twin(event)) ?? Infinity) < event.id) caused.add(event.id);
  }
  return caused;
}

function listChange(kind: string, names: (v: string) => string, before: unknown, after: unknown): string[] {
  const was = Array.isArray(before) ? (before as string[]) : [];
  const is = Array.isArray(after) ? (after as string[]) : [];
  const added = is.filter((v) => !was.includes(v));
  const removed = was.filter((v) => !is.includes(v));
  const parts: string[] = [];
  if (added.length) parts.push(`added ${kind}${added.length > 1 ? 's' : ''} ${added.map(names).join(', ')}`);
  if (removed.length) parts.push(`removed ${kind}${removed.length > 1 ? 's' : ''} ${removed.map(names).join(', ')}`);
  return parts;
}

/** The other conversation of a merge event (`{ conversationId, number }`). */
const mergedNumber = (value: unknown) => (value && typeof value === 'object' && 'number' in value ? String(value.number) : 'another conversation');

export function describeEvent(event: ConversationEvent, users: Map<number, User>): string | null {
  if (SHOWN_ON_MESSAGES.has(event.eventType)) return null;
  const by = event.performedByName || 'Someone';
  const person = (id: unknown) => (typeof id === 'number' ? (id === event.performedBy ? 'themselves' : (users.get(id)?.name ?? `user #${id}`)) : 'nobody');
  switch (event.eventType) {
    case 'assigned':
      return `${by} assigned this to ${person(event.newValue)}`;
    case 'unassigned':
      return `${by} unassigned this`;
    case 'status_changed':
    case 'resolved':
    case 'closed':
    case 'reopened':
      return `${by} changed status: ${status(event.oldValue)} → ${status(event.newValue)}`;
    case 'priority_changed':
      return `${by} changed priority: ${PRIORITY_NAMES[event.oldValue as Priority] ?? event.oldValue} → ${PRIORITY_NAMES[event.newValue as Priority] ?? event.newValue}`;
    case 'type_changed':
      return `${by} changed type: ${String(event.oldValue)} → ${String(event.newValue)}`;
    case 'team_changed': {
      const name = (v: unknown) => (v && typeof v === 'object' && 'name' in v ? String(v.name) : 'no team');
      return `${by} changed team: ${name(event.oldValue)} → ${name(event.newValue)}`;
    }
    case 'labeled': {
      const old = (event.oldValue ?? {}) as { labels?: unknown; tags?: unknown };
      const next = (event.newValue ?? {}) as { labels?: unknown; tags?: unknown };
      const parts = [
        ...listChange('label', (l) => LABEL_NAMES[l as Label] ?? l, old.labels, next.labels),
        ...listChange('tag', (t) => `#${t}`, old.tags, next.tags),
      ];
      return parts.length ? `${by} ${parts.join(' and ')}` : null;
    }
    case 'macro_applied': {
      const name = (event.newValue as { name?: unknown } | null)?.name;
      return `${by} applied the macro “${typeof name === 'string' ? name : 'a macro'}”`;
    }
    case 'marked_spam': {
      const value = (event.newValue ?? {}) as { reason?: unknown; value?: unknown };
      if (value.reason === 'blocked_sender') return 'Moved to Spam: the sender is blocked';
      return `Marked as spam by ${by}${typeof value.value === 'string' ? ` (blocked ${value.value})` : ''}`;
    }
    case 'snoozed': {
      const until = (event.newValue as { until?: unknown } | null)?.until;
      return `${by} snoozed this ${describeSnooze({ until: typeof until === 'number' ? until : null })}`;
    }
    case 'unsnoozed': {
      const reason = (event.newValue as { reason?: unknown } | null)?.reason;
      if (reason === 'time') return 'Woke up: its snooze time came';
      if (reason === 'customer') return 'Woke up: the customer replied';
      return `${by} unsnoozed this`;
    }
    case 'merged_into':
      return `${by} merged this into ${mergedNumber(event.newValue)}`;
    case 'merged_from':
      return `Merged from ${mergedNumber(event.newValue)} by ${by}`;
    case 'unmerged':
      return `${by} unmerged ${mergedNumber(event.oldValue)}`;
    case 'restored_from_spam':
      return `${by} restored this from spam`;
    case 'delivery_retried':
      return `${by} retried mailing a reply`;
    case 'forwarded': {
      const value = (event.newValue ?? {}) as { to?: unknown; messageId?: unknown };
      const to = Array.isArray(value.to) ? value.to.join(', ') : 'someone';
      return `${by} forwarded ${typeof value.messageId === 'number' ? 'a message' : 'the conversation'} to ${to}`;
    }
    case 'participants_changed': {
      const parts = listChange('address', (a) => a, event.oldValue, event.newValue);
      return parts.length ? `${by} ${parts.join(' and ')} in Cc` : null;
    }
    case 'customer_changed': {
      const name = (event.newValue as { name?: unknown } | null)?.name;
      return typeof name === 'string' ? `${by} recorded that this conversation is with ${name}` : null;
    }
    case 'escalated': {
      const reason = (event.newValue as { reason?: unknown } | null)?.reason;
      const why =
        reason === 'asked'
          ? 'the visitor asked for a person'
          : reason === 'keyword'
            ? 'a hand-over keyword'
            : reason === 'unsure'
              ? 'the bot could not answer twice'
              : reason === 'team_replied'
                ? 'an agent replied'
                : null;
      return `Handed over from the bot to the team${why ? ` (${why})` : ''}`;
    }
    // Customer satisfaction (issue 19): the survey sent, and the customer's answer with its comment.
    case 'csat_requested': {
      const via = (event.newValue as { sentVia?: unknown } | null)?.sentVia;
      return `Satisfaction survey sent${via === 'manual' ? ` by ${by}` : via === 'email' ? ' by email' : via === 'widget' ? ' in the chat' : ' in the portal'}`;
    }
    case 'csat_received': {
      const { rating, comment } = (event.newValue ?? {}) as { rating?: unknown; comment?: unknown };
      const changed = typeof event.oldValue === 'number' ? ` (was ${event.oldValue})` : '';
      return `${by} rated this ${String(rating)} of 5${changed}${typeof comment === 'string' && comment ? `: “${comment}”` : ''}`;
    }
    default:
      return `${by}: ${event.eventType.replace(/_/g, ' ')}`;
  }
}
