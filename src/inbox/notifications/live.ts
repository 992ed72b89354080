import { insertNotificationChanges } from '../../store/notification-changes.js';
import type { ReadScope } from '../../store/notifications.js';
import type { Unit } from '../commands/unit.js';
import type { ChangedNotification } from './deliver.js';

// Live frames on the user's own sockets (issue 18): `notification.created`, `.updated`,
// `.read`. Each change is a row of notification_changes written in the command's
// transaction (by upsertNotifications for created / updated, here for reads), so it goes
// out exactly when the change commits, from whichever instance holds the user's sockets
// (realtime/notification-frames.ts reads the rows back). A silent notification (kept out
// of the bell by the user's preference) gets no frame.

export function recordNotificationChanges(unit: Unit, changed: readonly ChangedNotification[]): void {
  // The feed rows themselves were written with the notifications (store/notifications.ts
  // upsertNotifications, in the same statement on PostgreSQL); the hub is woken after commit.
  if (changed.some((c) => !c.silent)) unit.nudgeLive();
}

/**
 * A read of the bell's rows `ids` (those that changed). The frame names what was asked for
 * (some ids, a conversation's, all) and, but for "all", the ids: after "all" (perhaps
 * thousands), a client marks everything it holds.
 */
export async function recordNotificationsRead(unit: Unit, userId: number, scope: ReadScope, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  const recorded = 'all' in scope ? { all: true } : 'conversationId' in scope ? { conversationId: scope.conversationId, ids } : { ids };
  await insertNotificationChanges(unit.tx, unit.ctx.store.dialect, [{ userId, notificationId: null, op: 'read', scope: recorded, createdAt: now }]);
  unit.nudgeLive();
}
