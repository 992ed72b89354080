import { addToCounters } from '../../store/counters.js';
import { markNotificationsRead as markRead, notificationCounterKey, type ReadScope } from '../../store/notifications.js';
import { type CommandTarget, runCommand } from './unit.js';

// Reading notifications (issue 18): no events — what one user has read concerns nobody
// else. The counter drops by exactly the rows that changed, in the same unit, so the bell
// and a recount never differ. Only the user's own rows are touched: naming someone else's
// id or conversation changes nothing and tells nothing.

export type NotificationReadInput = { userId: number } & ({ ids: readonly number[] } | { conversationId: number } | { all: true });

export function markNotificationsRead(target: CommandTarget, input: NotificationReadInput): Promise<{ marked: number }> {
  return runCommand(target, async (unit, now) => {
    const scope: ReadScope = 'ids' in input ? { ids: input.ids } : 'conversationId' in input ? { conversationId: input.conversationId } : { all: true };
    const marked = await markRead(unit.tx, input.userId, scope, now);
    await addToCounters(unit.tx, new Map([[notificationCounterKey(input.userId), -marked]]));
    return { marked };
  });
}
