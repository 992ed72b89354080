import { addToCounters } from '../../store/counters.js';
import { markNotificationsRead as markRead, notificationCounterKey, type ReadScope } from '../../store/notifications.js';
import { recordNotificationsRead } from '../notifications/live.js';
import { type CommandTarget, runCommand } from './unit.js';

// Reading notifications (issue 18): no events — what one user has read concerns nobody
// else; a notification_changes row tells that user's own sockets. The counter drops by
// exactly the rows that changed, in the same unit, so the bell and a recount never differ. Only the user's own rows are touched: naming someone else's
// id or conversation changes nothing and tells nothing.

export type NotificationReadInput = { userId: number } & ({ ids: readonly number[] } | { conversationId: number } | { all: true });

export function markNotificationsRead(target: CommandTarget, input: NotificationReadInput): Promise<{ marked: number }> {
  return runCommand(target, async (unit, now) => {
    const scope: ReadScope = 'ids' in input ? { ids: input.ids } : 'conversationId' in input ? { conversationId: input.conversationId } : { all: true };
    const rows = await markRead(unit.tx, input.userId, scope, now);
    const shown = rows.filter((r) => !r.silent).map((r) => r.id);
    await addToCounters(unit.tx, new Map([[notificationCounterKey(input.userId), -shown.length]]));
    // The user's other tabs and devices hear of it (notification.read); only when the bell changed.
    await recordNotificationsRead(unit, input.userId, scope, shown, now);
    return { marked: shown.length };
  });
}
