import { api } from '../api/client';

// The Web Push endpoints (src/http/routes/push.ts): the server's VAPID key and the signed-in
// team member's browser subscriptions.

export type PushSubscriptionItem = {
  id: number;
  endpoint: string;
  userAgent: string | null;
  createdAt: number;
  lastSuccessAt: number | null;
  failures: number;
};

export const pushApi = {
  publicKey: () => api<{ publicKey: string }>('GET', '/api/push/public-key'),
  subscribe: (subscription: PushSubscriptionJSON) =>
    api<{ subscription: PushSubscriptionItem }>('POST', '/api/me/push-subscriptions', {
      body: { endpoint: subscription.endpoint, keys: { p256dh: subscription.keys?.p256dh, auth: subscription.keys?.auth } },
    }),
  list: () => api<{ items: PushSubscriptionItem[] }>('GET', '/api/me/push-subscriptions'),
  remove: (id: number) => api<void>('DELETE', `/api/me/push-subscriptions/${id}`),
};
