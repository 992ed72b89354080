import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { NotificationPage } from '../api/endpoints';
import type { InboxCounts, Notification } from '../api/types';
import type { NotificationFrame } from '../live/connection';
import { keys } from './cache';
import { alertNotification } from './notification-alerts';

// The bell, kept live by the user's own `notification.*` frames: the count is the server's
// (each frame carries it) and the cached list takes the line as it is now. Frames are not
// replayed, so the bell is read again whenever the socket says `ready`.

export const notificationsKey = ['notifications'] as const;
export type NotificationPages = InfiniteData<NotificationPage, string | undefined>;

/** The server's count, into the sidebar's counts (the bell shows it from there). */
export function setUnread(client: QueryClient, unread: number): void {
  client.setQueryData<InboxCounts>(keys.counts, (counts) => (counts ? { ...counts, notifications: unread } : counts));
}

/** Marks the cached lines `read` picks as read. */
export function markLocally(client: QueryClient, read: (n: Notification) => boolean, at = Date.now()): void {
  client.setQueryData<NotificationPages>(notificationsKey, (data) =>
    data
      ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((n) => (n.readAt === null && read(n) ? { ...n, readAt: at } : n)) })) }
      : data,
  );
}

/** A new or folded line goes to the top (the list is newest first by its latest event). */
function upsertLine(client: QueryClient, line: Notification, unreadCount: number): void {
  client.setQueryData<NotificationPages>(notificationsKey, (data) => {
    if (!data || data.pages.length === 0) return data;
    const pages = data.pages.map((page, i) => {
      const items = page.items.filter((n) => n.id !== line.id);
      return i === 0 ? { ...page, items: [line, ...items], unreadCount } : { ...page, items };
    });
    return { ...data, pages };
  });
}

export function receiveNotificationFrame(client: QueryClient, frame: NotificationFrame): void {
  setUnread(client, frame.data.unreadCount);
  switch (frame.type) {
    case 'notification.created':
    case 'notification.updated':
      upsertLine(client, frame.data.notification, frame.data.unreadCount);
      alertNotification(frame.data.notification);
      break;
    case 'notification.read': {
      const { ids, conversationId, all } = frame.data;
      const read = new Set(ids ?? []);
      markLocally(client, (n) => all === true || read.has(n.id) || n.conversation.id === conversationId);
      break;
    }
  }
}

/** The socket is live (again): what changed while it was not is only in a fresh read. */
export function refreshNotifications(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: notificationsKey });
  void client.invalidateQueries({ queryKey: keys.counts });
}
