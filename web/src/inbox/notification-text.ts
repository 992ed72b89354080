import type { Notification } from '../api/types';

// What a bell line says, in words: who did what to which conversation. One line folds the
// further events of its kind while unread (`count`), so it says how many.

export function notificationConversation(n: Pick<Notification, 'conversation'>): string {
  return `${n.conversation.number} · ${n.conversation.subject.trim() || '(no subject)'}`;
}

export function describeNotification(n: Notification): string {
  const conversation = notificationConversation(n);
  // A rule or the system may be the actor; a name is what the line needs either way.
  const who = n.actor.name.trim() || 'Someone';
  const times = n.count > 1 ? ` ${n.count} times` : '';
  switch (n.kind) {
    case 'assigned':
      return `${who} assigned you ${conversation}`;
    case 'customer_replied':
      return `${who} replied${times} on ${conversation}`;
    case 'mentioned':
      return `${who} mentioned you${times} in ${conversation}`;
    case 'unassigned_activity':
      return `New activity in your team's queue${n.count > 1 ? ` (${n.count})` : ''}: ${conversation}`;
    case 'participating':
      return `${conversation} changed${times} (you follow it)`;
    case 'csat_low_rating':
      return `${who} gave a low satisfaction rating on ${conversation}`;
  }
}

/** What happened, for a desktop notification whose title is the conversation. */
export function notificationBody(n: Notification): string {
  const who = n.actor.name.trim() || 'Someone';
  const times = n.count > 1 ? ` (${n.count} times)` : '';
  switch (n.kind) {
    case 'assigned':
      return `${who} assigned it to you`;
    case 'customer_replied':
      return `${who} replied${times}`;
    case 'mentioned':
      return `${who} mentioned you${times}`;
    case 'unassigned_activity':
      return `New activity in your team's queue${times}`;
    case 'participating':
      return `${who} changed it${times} (you follow it)`;
    case 'csat_low_rating':
      return `${who} gave a low satisfaction rating`;
  }
}
