import { isTeam } from '../inbox/policies.js';
import { presentNotification } from '../present/presenters.js';
import { readCounters } from '../store/counters.js';
import {
  deleteNotificationChangesBefore,
  findNotificationsByIds,
  latestNotificationChangeId,
  listNotificationChangesSince,
} from '../store/notification-changes.js';
import { notificationCounterKey } from '../store/notifications.js';
import type { Tx } from '../store/transaction.js';
import type { LiveClient } from './hub.js';
import type { Log } from './pg-wakeup.js';

// notification_changes → `notification.*` frames on the user's own sockets (issue 18). The
// hub calls this in the same exclusive tail as the events, with a cursor of its own. A row
// points at what changed; the notification and the unread count are read as they are now,
// so a frame is never staler than the read that sends it. Nobody else's socket ever gets
// one: not a colleague who can see the conversation, not a customer's portal socket, not
// a chat visitor (whose id is a customer's, from another space of ids).

const PAGE = 500;
/** Frames are never replayed: a day is far longer than any hub's cursor lags. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** The user this socket may hear notifications of, or null. */
function ownerOf(client: LiveClient): number | null {
  return !client.present && isTeam(client.viewer) ? client.viewer.id : null;
}

/** Sends the changes after `cursor` to their users' sockets; returns the new cursor. */
export async function tailNotificationChanges(db: Tx, cursor: number, clients: ReadonlySet<LiveClient>): Promise<number> {
  for (;;) {
    const listening = new Set([...clients].map(ownerOf).filter((id) => id !== null));
    // Nobody to tell: move on. A socket that joins later reads the bell itself.
    if (listening.size === 0) return Math.max(cursor, await latestNotificationChangeId(db));
    const changes = await listNotificationChangesSince(db, cursor, PAGE);
    if (changes.length === 0) return cursor;
    const ours = changes.filter((c) => listening.has(c.userId));
    const [notifications, counts] = await Promise.all([
      findNotificationsByIds(
        db,
        ours.flatMap((c) => (c.op === 'read' || c.notificationId === null ? [] : [c.notificationId])),
      ),
      readCounters(db, [...new Set(ours.map((c) => notificationCounterKey(c.userId)))]),
    ]);
    const byId = new Map(notifications.map((n) => [n.id, n]));
    for (const change of ours) {
      const unreadCount = Math.max(0, counts.get(notificationCounterKey(change.userId)) ?? 0);
      let frame: string | null = null;
      if (change.op === 'read') frame = JSON.stringify({ type: 'notification.read', data: { ...readScope(change.scope), unreadCount } });
      else {
        // Gone since (its conversation deleted): nothing to show.
        const row = change.notificationId === null ? undefined : byId.get(change.notificationId);
        if (row) frame = JSON.stringify({ type: `notification.${change.op}`, data: { notification: presentNotification(row), unreadCount } });
      }
      if (frame === null) continue;
      for (const client of clients) if (client.open && ownerOf(client) === change.userId) client.send(frame);
    }
    cursor = changes[changes.length - 1]!.id;
    if (changes.length < PAGE) return cursor;
  }
}

/** Only what the frame schema allows, whatever the row holds. */
function readScope(scope: unknown): { ids?: number[]; conversationId?: number; all?: true } {
  const s = (scope ?? {}) as { ids?: unknown; conversationId?: unknown; all?: unknown };
  if (s.all === true) return { all: true };
  const ids = Array.isArray(s.ids) ? s.ids.filter((id): id is number => Number.isSafeInteger(id)) : [];
  return { ids, ...(Number.isSafeInteger(s.conversationId) ? { conversationId: s.conversationId as number } : {}) };
}

/** Where a hub starts: frames are never replayed, so what happened before it started is not its business. */
export const latestNotificationChange = latestNotificationChangeId;

/** Deletes feed rows older than a day; any instance may, any number of times. A failure is logged; the next round tries again. */
export function pruneNotificationChanges(db: Tx, now: number, log: Log): Promise<number> {
  return deleteNotificationChangesBefore(db, now - KEEP_MS).catch((error) => {
    log('realtime: deleting old notification_changes failed', error);
    return 0;
  });
}
