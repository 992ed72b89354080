import { enqueueJobs } from '../../store/outbox.js';
import { usersWithPushSubscriptions } from '../../store/push-subscriptions.js';
import type { Unit } from '../commands/unit.js';
import type { ChangedNotification } from './deliver.js';
import type { TeamNotificationSettings } from './preferences.js';

// Web Push (issue 18 "Desktop", the tab closed): one outbox job per change of a notification
// whose kind the user wants on the desktop, queued in the command's transaction so a crash
// after the commit loses none. The job (channels/push) sends to each of the user's browsers
// and says what it says then: the notification's count, the team's preview setting, whether
// it was read meanwhile. A user without any subscription gets no job at all and no delivery
// record: most people never switch push on, and their list of subscriptions (empty) already
// answers "why didn't I get it".

export const PUSH_JOB = 'notification.push';

export type PushJobPayload = { notificationId: number; userId: number; count: number };

export async function planNotificationPush(unit: Unit, changed: readonly ChangedNotification[], _team: TeamNotificationSettings): Promise<void> {
  const wanted = changed.filter((c) => c.channels.desktop);
  if (wanted.length === 0) return;
  // derive.ts reads who has a subscription along with the audience; anyone else is looked up.
  const unknown = [...new Set(wanted.filter((c) => c.preferences.pushSubscribed === undefined).map((c) => c.userId))];
  const subscribed = unknown.length > 0 ? await usersWithPushSubscriptions(unit.tx, unknown) : new Set<number>();
  for (const c of wanted) if (c.preferences.pushSubscribed) subscribed.add(c.userId);
  const now = unit.ctx.clock();
  await enqueueJobs(
    unit.tx,
    wanted
      .filter((c) => subscribed.has(c.userId))
      .map((c) => ({
        kind: PUSH_JOB,
        payload: { notificationId: c.id, userId: c.userId, count: c.count } satisfies PushJobPayload,
        // A folded row keeps its id and counts up: one job per change, never two for one.
        idempotencyKey: `${PUSH_JOB}:${c.id}:${c.count}`,
        runAt: now,
      })),
    now,
  );
}
