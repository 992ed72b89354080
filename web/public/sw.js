// Onethread's service worker: Web Push for a team member whose Onethread tab is closed or
// out of sight (issue 18 "Desktop"). Served at /sw.js (scope /) from the web app's build;
// registered by the "Desktop notifications" switch (src/notifications/PushSwitch.tsx).
// It handles no fetch: the app works exactly as without it.

self.addEventListener('install', () => self.skipWaiting());
// Open tabs come under this worker at once, so a click can navigate them (Client.navigate
// works only on the worker's own clients).
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The inbox's tabs: our origin, not the customer portal or the contact form. */
async function inboxWindows() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  return windows.filter((client) => {
    const url = new URL(client.url);
    return url.origin === self.location.origin && !/^\/(portal|contact)(\/|$)/.test(url.pathname);
  });
}

function readPush(event) {
  try {
    const data = event.data ? event.data.json() : null;
    return data && typeof data.title === 'string' ? data : null;
  } catch {
    return null;
  }
}

self.addEventListener('push', (event) => {
  const data = readPush(event);
  if (!data) return;
  event.waitUntil(
    (async () => {
      // A tab in front of the user shows it itself (the bell; a hidden tab shows its own
      // browser notification, and this one replaces it by tag).
      const windows = await inboxWindows();
      if (windows.some((client) => client.focused && client.visibilityState === 'visible')) return;
      await self.registration.showNotification(data.title, {
        body: typeof data.body === 'string' ? data.body : '',
        // One notification per conversation: a later push of it replaces the earlier one, and rings again.
        tag: typeof data.tag === 'string' ? data.tag : undefined,
        renotify: typeof data.tag === 'string',
        icon: '/favicon.svg',
        data: { url: typeof data.url === 'string' ? data.url : '/', conversationId: data.conversationId },
      });
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Only a path on our own origin: a payload is never a way to send anyone elsewhere.
  let target = new URL('/', self.location.origin);
  try {
    const url = new URL(event.notification.data?.url ?? '/', self.location.origin);
    if (url.origin === self.location.origin) target = url;
  } catch {
    // keep the inbox
  }
  event.waitUntil(
    (async () => {
      const [client] = await inboxWindows();
      if (!client) return void (await self.clients.openWindow(target.href));
      const focused = await client.focus();
      try {
        await (focused ?? client).navigate(target.href);
      } catch {
        // A tab this worker does not control cannot be navigated: open the conversation beside it.
        await self.clients.openWindow(target.href);
      }
    })(),
  );
});
