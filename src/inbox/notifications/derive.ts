import { addToCounters } from '../../store/counters.js';
import { listActiveTeamMembers, listFollowers } from '../../store/followers.js';
import { findNotifiableUsers, type NewNotification, notificationCounterKey, upsertNotifications } from '../../store/notifications.js';
import { findTeam } from '../../store/teams.js';
import type { Unit } from '../commands/unit.js';
import { canView, isTeam } from '../policies.js';
import type { Conversation, InboxEvent } from '../records.js';

// Who is told what, computed from the events a command just wrote, in its transaction
// (issue 18 "What is notified"). Each recipient gets at most one notification per batch:
// the first kind that applies in the order below, so a mention is never folded into a
// message notification and a follower is not told twice about one command.

type Kind = 'mentioned' | 'assigned' | 'customer_replied' | 'unassigned_activity' | 'participating';
type Candidate = { userId: number; kind: Kind; event: InboxEvent; messageId: number | null };

const STATUS_EVENTS = new Set(['status_changed', 'resolved', 'closed', 'reopened']);

const value = (event: InboxEvent): Record<string, unknown> =>
  typeof event.newValue === 'object' && event.newValue !== null ? (event.newValue as Record<string, unknown>) : {};
const messageIdOf = (event: InboxEvent): number | null => {
  const id = value(event).messageId;
  return typeof id === 'number' ? id : null;
};

/** A customer's message that asks something of the team: not an auto-reply, bounce or other noise. */
const customerMessage = (event: InboxEvent, type: string) => event.eventType === type && value(event).senderType === 'customer' && !value(event).auto;

export async function deriveNotifications(unit: Unit, written: readonly InboxEvent[], conversation: Conversation | null): Promise<void> {
  // Imported history is the past: nobody is told of it.
  if (!conversation || written.length === 0 || written.some((e) => e.origin === 'import')) return;
  const { tx } = unit;
  const candidates: Candidate[] = [];
  const unassignedAudience = async () => {
    if (conversation.team) return (await findTeam(tx, conversation.team.id))?.memberIds ?? [];
    return (await listActiveTeamMembers(tx)).map((m) => m.id);
  };

  for (const event of written.filter((e) => e.eventType === 'mentioned')) {
    const ids = value(event).userIds;
    if (Array.isArray(ids))
      for (const id of ids) if (typeof id === 'number') candidates.push({ userId: id, kind: 'mentioned', event, messageId: messageIdOf(event) });
  }
  for (const event of written.filter((e) => e.eventType === 'assigned' && typeof e.newValue === 'number')) {
    candidates.push({ userId: event.newValue as number, kind: 'assigned', event, messageId: null });
  }
  const asked = written.find((e) => customerMessage(e, 'replied') || customerMessage(e, 'created'));
  if (asked) {
    if (conversation.assignedTo !== null) {
      if (asked.eventType === 'replied')
        candidates.push({ userId: conversation.assignedTo, kind: 'customer_replied', event: asked, messageId: messageIdOf(asked) });
    } else {
      for (const id of await unassignedAudience()) candidates.push({ userId: id, kind: 'unassigned_activity', event: asked, messageId: messageIdOf(asked) });
    }
  }
  // A public message (customer or team; a note is `note_added`) or a status change: the followers.
  const changed = written.find((e) => (e.eventType === 'replied' && !value(e).auto) || STATUS_EVENTS.has(e.eventType));
  if (changed) {
    for (const follower of await listFollowers(tx, conversation.id)) {
      candidates.push({ userId: follower.userId, kind: 'participating', event: changed, messageId: messageIdOf(changed) });
    }
  }
  if (candidates.length === 0) return;

  // The same visibility rule as the API: only active team members who may see it.
  const users = await findNotifiableUsers(
    tx,
    candidates.map((c) => c.userId),
  );
  const allowed = new Set(users.filter((u) => isTeam(u) && canView(u, conversation)).map((u) => u.id));
  // Never the one who did it (any of the batch's events: a self-assignment in a reply too).
  const actors = new Set(written.map((e) => e.performedBy));
  const chosen = new Map<number, Candidate>();
  for (const c of candidates) {
    if (actors.has(c.userId) || !allowed.has(c.userId) || chosen.has(c.userId)) continue;
    chosen.set(c.userId, c);
  }
  const items: NewNotification[] = [...chosen.values()].map((c) => ({
    userId: c.userId,
    kind: c.kind,
    conversationId: conversation.id,
    messageId: c.messageId,
    actorId: c.event.performedBy,
    actorName: c.event.performedByName,
    at: c.event.createdAt,
  }));
  const added = await upsertNotifications(tx, items);
  await addToCounters(tx, new Map(added.map((userId) => [notificationCounterKey(userId), 1])));
}
