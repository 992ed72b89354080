import { addToCounters } from '../../store/counters.js';
import { listActiveAdminIds } from '../../store/csat.js';
import { listActiveTeamMembers } from '../../store/followers.js';
import { readNotificationAudience } from '../../store/notification-audience.js';
import { type NewNotification, notificationCounterKey, upsertNotifications } from '../../store/notifications.js';
import { findTeam } from '../../store/teams.js';
import type { Unit } from '../commands/unit.js';
import { canView, isTeam } from '../policies.js';
import type { Conversation, InboxEvent } from '../records.js';
import { type ChangedNotification, planNotificationDeliveries } from './deliver.js';
import { channelsFor, type EffectivePreferences, effectivePreferences, type NotificationKind, parseTeamSettings, TEAM_SETTINGS_NAME } from './preferences.js';

// Who is told what, computed from the events a command just wrote, in its transaction
// (issue 18 "What is notified"). Each recipient gets at most one notification per batch:
// the first kind that applies in the order below, so a mention is never folded into a
// message notification and a follower is not told twice about one command. Then each
// recipient's preferences say where it goes: the bell (or silent: written for mail and push
// only), mail, desktop; a kind switched off everywhere writes nothing. deliver.ts plans the
// rest (live frames, mail, push) in the same transaction.

type Candidate = { userId: number; kind: NotificationKind; event: InboxEvent; messageId: number | null };

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
  // A CSAT rating of 1 or 2 (issue 19): the assignee and the admins, to act on it.
  const lowRating = written.find((e) => e.eventType === 'csat_received' && typeof value(e).rating === 'number' && (value(e).rating as number) <= 2);
  if (lowRating) {
    const ids = [...(conversation.assignedTo !== null ? [conversation.assignedTo] : []), ...(await listActiveAdminIds(tx))];
    for (const id of ids) candidates.push({ userId: id, kind: 'csat_low_rating', event: lowRating, messageId: null });
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
  const followed = written.find((e) => (e.eventType === 'replied' && !value(e).auto) || STATUS_EVENTS.has(e.eventType));
  if (candidates.length === 0 && !followed) return;

  // One read for everyone who may be told (the followers among them), their preferences,
  // push subscriptions and the team's settings: each statement costs the command a round.
  const audience = await readNotificationAudience(tx, unit.ctx.store.dialect, {
    userIds: candidates.map((c) => c.userId),
    followersOf: followed ? conversation.id : null,
    settingName: TEAM_SETTINGS_NAME,
  });
  const users = audience.users;
  if (followed) {
    // In the order they started following, as the followers list has them. Deactivated
    // followers are not in the audience; they would be left out below anyway.
    const followers = users.filter((u) => u.followedAt !== null).sort((a, b) => a.followedAt! - b.followedAt! || a.id - b.id);
    for (const follower of followers) candidates.push({ userId: follower.id, kind: 'participating', event: followed, messageId: messageIdOf(followed) });
  }
  if (candidates.length === 0) return;

  // The same visibility rule as the API: only active team members who may see it.
  const allowed = new Set(users.filter((u) => isTeam(u) && canView(u, conversation)).map((u) => u.id));
  // Never the one who did it (any of the batch's events: a self-assignment in a reply too).
  const actors = new Set(written.map((e) => e.performedBy));
  const chosen = new Map<number, Candidate>();
  for (const c of candidates) {
    // What an automation did tells only of assignments and mentions: a rule that tidies many
    // conversations must not ring every follower's bell.
    if (c.event.origin === 'rule' && c.kind !== 'assigned' && c.kind !== 'mentioned') continue;
    if (actors.has(c.userId) || !allowed.has(c.userId) || chosen.has(c.userId)) continue;
    chosen.set(c.userId, c);
  }
  if (chosen.size === 0) return;

  const team = parseTeamSettings(audience.setting);
  const preferences = new Map<number, EffectivePreferences>();
  for (const u of users) if (chosen.has(u.id)) preferences.set(u.id, { ...effectivePreferences(u.id, u.preferences, team), pushSubscribed: u.pushSubscribed });
  const items: (NewNotification & { channels: ReturnType<typeof channelsFor> })[] = [];
  for (const c of chosen.values()) {
    const channels = channelsFor(preferences.get(c.userId)!, c.kind);
    if (!channels.inApp && channels.email === 'off' && !channels.desktop) continue;
    items.push({
      userId: c.userId,
      kind: c.kind,
      conversationId: conversation.id,
      messageId: c.messageId,
      actorId: c.event.performedBy,
      actorName: c.event.performedByName,
      at: c.event.createdAt,
      silent: !channels.inApp,
      mailDueAt: channels.email === 'immediate' ? c.event.createdAt + team.mailDelaySeconds * 1000 : null,
      channels,
    });
  }
  const rows = await upsertNotifications(tx, unit.ctx.store.dialect, items);
  const added = rows.filter((r) => r.count === 1 && !r.silent);
  await addToCounters(tx, new Map(added.map((r) => [notificationCounterKey(r.userId), 1])));
  const byUser = new Map(items.map((i) => [i.userId, i]));
  const changed: ChangedNotification[] = rows.map((r) => {
    const item = byUser.get(r.userId)!;
    return {
      id: r.id,
      userId: r.userId,
      kind: item.kind as NotificationKind,
      conversationId: conversation.id,
      messageId: item.messageId,
      created: r.count === 1,
      count: r.count,
      silent: r.silent,
      at: item.at,
      mailDueAt: r.mailDueAt,
      channels: item.channels,
      preferences: preferences.get(r.userId)!,
    };
  });
  await planNotificationDeliveries(unit, changed, team);
}
