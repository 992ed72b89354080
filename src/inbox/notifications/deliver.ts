import type { Unit } from '../commands/unit.js';
import { recordNotificationChanges } from './live.js';
import { planNotificationMail } from './mail-plan.js';
import type { EffectivePreferences, KindPreference, NotificationKind, TeamNotificationSettings } from './preferences.js';
import { planNotificationPush } from './push-plan.js';

// After derive.ts wrote the notification rows, in the same transaction: what each changed
// row still needs — a frame on its user's sockets, a mail (now-ish or in a digest), a push.
// Each is durable (a row, a timer, an outbox job) before the command commits, so a crash
// after the commit loses none of them.

/** A notification row a command just added (`created`) or folded a further event into. */
export type ChangedNotification = {
  id: number;
  userId: number;
  kind: NotificationKind;
  conversationId: number;
  messageId: number | null;
  created: boolean;
  /** Events folded into the row while unread (1 when just created). */
  count: number;
  silent: boolean;
  /** When the event happened. */
  at: number;
  /** When the row's mail timer is due, as the row says (null: none armed through it). */
  mailDueAt: number | null;
  /** Where this kind goes for this user now (the admin's mail switches applied). */
  channels: KindPreference;
  preferences: EffectivePreferences;
};

export async function planNotificationDeliveries(unit: Unit, changed: readonly ChangedNotification[], team: TeamNotificationSettings): Promise<void> {
  if (changed.length === 0) return;
  recordNotificationChanges(unit, changed);
  await planNotificationMail(unit, changed, team);
  await planNotificationPush(unit, changed, team);
}
