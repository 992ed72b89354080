import { MAX_PAGE } from '../../limits.js';
import { type DeliveryRecord, listDeliveries } from '../../store/notification-deliveries.js';
import { listMailDisabledUserIds } from '../../store/notification-mail-switches.js';
import { findUserById } from '../../store/users.js';
import type { InboxContext } from '../context.js';
import { isTeam } from '../policies.js';
import {
  type EffectivePreferences,
  loadPreferences,
  NOTIFICATION_KINDS,
  type NotificationKind,
  readTeamSettings,
  type TeamNotificationSettings,
} from './preferences.js';

// Reading what the preferences page and the admins' settings show, and the delivery log
// ("why didn't I get it", issue 18). Reads outside a transaction: nothing here decides a write.

/** What each kind means, in the words the preferences page uses. */
export const KIND_DESCRIPTIONS: Record<NotificationKind, { label: string; description: string }> = {
  assigned: { label: 'Assigned to me', description: 'A conversation is given to you, by a colleague or a rule.' },
  customer_replied: { label: 'Customer replied', description: 'A customer writes on a conversation assigned to you.' },
  unassigned_activity: {
    label: 'Unassigned conversations',
    description: 'A new conversation or a customer’s reply in your team’s unassigned queue.',
  },
  mentioned: { label: 'Mentioned', description: 'A colleague mentions you in a note or a reply.' },
  participating: { label: 'Conversations I take part in', description: 'A reply or a status change on a conversation you follow.' },
  csat_low_rating: { label: 'Low satisfaction rating', description: 'A customer rates a conversation assigned to you (or, for admins, any) 1 or 2 out of 5.' },
};

export const notificationKinds = () => NOTIFICATION_KINDS.map((kind) => ({ kind, ...KIND_DESCRIPTIONS[kind] }));

export type MyPreferences = EffectivePreferences & { team: TeamNotificationSettings };

export async function readNotificationPreferences(ctx: InboxContext, userId: number): Promise<MyPreferences> {
  const team = await readTeamSettings(ctx.store.db);
  const prefs = (await loadPreferences(ctx.store.db, [userId], team)).get(userId)!;
  return { ...prefs, team };
}

/** The team's settings, and whose notification mail an admin switched off. */
export async function readTeamNotificationSettings(ctx: InboxContext): Promise<{ settings: TeamNotificationSettings; mailDisabledFor: number[] }> {
  return { settings: await readTeamSettings(ctx.store.db), mailDisabledFor: await listMailDisabledUserIds(ctx.store.db) };
}

/** Whether `id` is a team member (deliveries and mail switches are only theirs). */
export async function isTeamMember(ctx: InboxContext, id: number): Promise<boolean> {
  const user = await findUserById(ctx.store.db, id);
  return user !== undefined && isTeam(user);
}

/** A user's deliveries, newest first, in keyset pages on id. */
export async function listNotificationDeliveries(
  ctx: InboxContext,
  userId: number,
  query: { before?: number; limit?: number },
): Promise<{ items: DeliveryRecord[]; nextBefore: number | null }> {
  const limit = Math.min(query.limit ?? 30, MAX_PAGE);
  const rows = await listDeliveries(ctx.store.db, userId, { before: query.before ?? null, limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextBefore: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
