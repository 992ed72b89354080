import { type QueryClient, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { type MouseEvent, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints, type NotificationsRead, notificationEndpoints } from '../api/endpoints';
import type { Notification } from '../api/types';
import { inboxRoute, navigate, type Route, routeUrl } from '../app/route';
import { Empty, Failed, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { showError } from '../ui/toasts';
import { keys } from './cache';
import { useDesktopPermission, useNotificationSound } from './notification-alerts';
import { markLocally, notificationsKey, setUnread } from './notification-live';
import { describeNotification } from './notification-text';
import './notifications.css';

// The inbox bell (issue 18): the unread count comes with the sidebar's counts (GET
// /api/inbox/counts), and the user's own `notification.*` frames set it and the cached list
// as they come (notification-live.ts), so the bell stays live without a request of its own. The panel is a modal <dialog>: the browser traps focus in it, Escape
// closes it, and focus goes back to the bell. Its list is fetched while it is open only.

const PAGE = 20;

/** Marks the cached lines read at once; the server's answer then sets the count. */
async function markRead(client: QueryClient, which: NotificationsRead, read: (n: Notification) => boolean) {
  markLocally(client, read);
  try {
    setUnread(client, (await notificationEndpoints.markRead(which)).unreadCount);
  } catch (error) {
    showError(`Couldn’t mark them as read: ${errorMessage(error)}`);
    void client.invalidateQueries({ queryKey: notificationsKey });
    void client.invalidateQueries({ queryKey: keys.counts });
  }
}

export function NotificationBell({ route, onNavigate }: { route: Route; onNavigate(): void }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const { data: counts } = useQuery({ queryKey: keys.counts, queryFn: endpoints.counts, staleTime: 30_000 });
  const unread = counts?.notifications;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  // A conversation opened from the list marks its notifications read on the server
  // (ConversationView's POST …/read); the bell asks again once that has had time to land.
  const openConversation = route.page === 'inbox' ? route.conversationId : null;
  const hasUnread = (unread ?? 0) > 0;
  useEffect(() => {
    if (openConversation === null || !hasUnread) return;
    const timer = setTimeout(() => {
      void client.invalidateQueries({ queryKey: keys.counts });
      void client.invalidateQueries({ queryKey: notificationsKey });
    }, 1_000);
    return () => clearTimeout(timer);
  }, [openConversation, hasUnread, client]);

  const label = unread === undefined ? 'Notifications' : `Notifications, ${unread} unread`;
  return (
    <>
      <button
        ref={button}
        type="button"
        className="bell"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-unread={unread || undefined}
        onClick={() => setOpen(true)}
      >
        <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" aria-hidden="true">
          <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z M10 20.5a2 2 0 0 0 4 0" />
        </svg>
        {unread ? (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes it; Escape is the dialog's own key. */}
      <dialog
        ref={dialog}
        className="notification-panel"
        aria-labelledby={titleId}
        onClose={() => {
          setOpen(false);
          button.current?.focus();
        }}
        onClick={(event) => {
          if (event.target === event.currentTarget) setOpen(false);
        }}
      >
        {open ? (
          <NotificationPanel
            titleId={titleId}
            unread={unread ?? 0}
            route={route}
            onOpened={() => {
              setOpen(false);
              onNavigate();
            }}
            onClose={() => setOpen(false)}
          />
        ) : null}
      </dialog>
    </>
  );
}

function NotificationPanel({
  titleId,
  unread,
  route,
  onOpened,
  onClose,
}: {
  titleId: string;
  unread: number;
  route: Route;
  onOpened(): void;
  onClose(): void;
}) {
  const client = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: notificationsKey,
    queryFn: ({ pageParam, signal }) => notificationEndpoints.list({ cursor: pageParam, limit: PAGE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 0,
  });

  // The list's own count is the newest word; a new notification while the panel is open
  // moves the sidebar's count, and the list follows it.
  const listed = list.data?.pages[0]?.unreadCount;
  useEffect(() => {
    if (listed !== undefined) setUnread(client, listed);
  }, [listed, client]);
  const seen = useRef(unread);
  useEffect(() => {
    if (unread !== seen.current) void client.invalidateQueries({ queryKey: notificationsKey });
    seen.current = unread;
  }, [unread, client]);

  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const target = (n: Notification) => ({ ...inboxRoute(route), conversationId: n.conversation.id });

  const openOne = (event: MouseEvent, n: Notification) => {
    // Other clicks (a new tab, a new window) keep the browser's meaning.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void markRead(client, { conversationId: n.conversation.id }, (other) => other.conversation.id === n.conversation.id);
    navigate(target(n));
    onOpened();
  };

  return (
    <div className="notification-body">
      <header className="notification-head">
        <h2 id={titleId}>Notifications</h2>
        <button type="button" className="button button-small" disabled={unread === 0} onClick={() => void markRead(client, { all: true }, () => true)}>
          Mark all as read
        </button>
        <button type="button" className="notification-close" aria-label="Close notifications" onClick={onClose}>
          <svg width={16} height={16} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" aria-hidden="true">
            <path d="M6 6l12 12 M18 6L6 18" />
          </svg>
        </button>
      </header>
      {list.isPending ? (
        <Loading label="Loading notifications…" />
      ) : list.isError ? (
        <Failed what="notifications" error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No notifications">You hear here when a conversation is given to you, a customer answers you, or a colleague mentions you.</Empty>
      ) : (
        <ul className="notification-list">
          {items.map((n) => (
            <li key={n.id}>
              <a
                href={routeUrl(target(n))}
                className="notification"
                data-notification-id={n.id}
                data-unread={n.readAt === null || undefined}
                onClick={(e) => openOne(e, n)}
              >
                <span className="notification-dot" aria-hidden="true" />
                <span className="notification-text">
                  {n.readAt === null ? <span className="visually-hidden">Unread: </span> : null}
                  {describeNotification(n)}
                </span>
                <RelativeTime at={n.lastAt} />
              </a>
            </li>
          ))}
        </ul>
      )}
      <AlertSettings />
      {list.hasNextPage ? (
        <button type="button" className="button button-small notification-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}

/** This browser's alerts: a beep (at most one per 10 s) and desktop notifications while the tab is hidden. */
function AlertSettings() {
  const [sound, setSound] = useNotificationSound();
  const desktop = useDesktopPermission();
  return (
    <footer className="notification-alerts">
      <label className="notification-sound">
        <input type="checkbox" checked={sound} onChange={(event) => setSound(event.target.checked)} />
        Play a sound
      </label>
      {desktop.permission === 'default' ? (
        <button type="button" className="button button-small" onClick={desktop.ask}>
          Show desktop notifications
        </button>
      ) : desktop.permission === 'granted' ? (
        <span className="notification-alerts-note">Desktop notifications are on while this tab is in the background.</span>
      ) : desktop.permission === 'denied' ? (
        <span className="notification-alerts-note">Desktop notifications are blocked in this browser’s settings for this site.</span>
      ) : null}
    </footer>
  );
}
