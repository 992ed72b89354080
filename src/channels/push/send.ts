import webPush from 'web-push';
import { z } from 'zod';
import { readTeamSettings } from '../../inbox/notifications/preferences.js';
import type { JobHandler } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { type NewDelivery, recordDeliveries } from '../../store/notification-deliveries.js';
import {
  deletePushSubscription,
  listPushSubscriptions,
  type PushSubscriptionRecord,
  readPushContext,
  recordPushOutcome,
} from '../../store/push-subscriptions.js';
import { transact } from '../../store/transaction.js';
import { isAllowedEndpoint, pushServiceHost } from './endpoint.js';
import { buildPushPayload, type PushPayload } from './payload.js';
import type { Vapid } from './vapid.js';

// The `notification.push` job (planned by inbox/notifications/push-plan.ts): one change of a
// notification, sent to each of its user's browsers through their push services (RFC 8030),
// encrypted for the browser (RFC 8291, aes128gcm) and signed with our VAPID key (RFC 8292).
// Each subscription's outcome is a delivery record (target: the push service's host).
//
// A push is worth something only now: a failed send is recorded and not retried (a later
// change of the conversation pushes again, and its tag replaces this one anyway). A push
// service answering 404 or 410 says the subscription is gone for good: it is deleted.

const Payload = z.object({ notificationId: z.number().int().positive(), userId: z.number().int().positive(), count: z.number().int().positive() });

/** How long a push service keeps a push for a browser that is offline. */
export const PUSH_TTL_SECONDS = 4 * 60 * 60;
const SEND_TIMEOUT_MS = 10_000;
/** Being told something needs doing by you wakes a sleeping phone; the rest waits for a good moment. */
const URGENT_KINDS = new Set(['assigned', 'mentioned']);

export type PushSenderOptions = {
  store: Store;
  vapid: Vapid;
  allowHttp: boolean;
  clock?: () => number;
};

type Outcome = { subscription: PushSubscriptionRecord; delivered: boolean; gone: boolean; error: string | null };

export function createPushHandler(options: PushSenderOptions): JobHandler {
  const { store, vapid, allowHttp } = options;
  const clock = options.clock ?? Date.now;
  return async (raw) => {
    const job = Payload.safeParse(raw);
    // A payload this version cannot read would fail the same way every time.
    if (!job.success) return;
    const { notificationId, userId, count } = job.data;
    const { context, subscriptions, team } = await transact(store, async (tx) => ({
      context: await readPushContext(tx, notificationId),
      subscriptions: await listPushSubscriptions(tx, userId),
      team: await readTeamSettings(tx),
    }));
    // Unsubscribed meanwhile: nothing to send and nobody to tell.
    if (subscriptions.length === 0) return;
    const skip = (reason: 'read' | 'deleted') =>
      transact(store, (tx) =>
        recordDeliveries(
          tx,
          subscriptions.map((s) => delivery(userId, notificationId, context?.conversation.id ?? null, s, { status: 'skipped', reason })),
          clock(),
        ),
      );
    if (!context || context.notification.userId !== userId) return void (await skip('deleted'));
    if (context.notification.readAt !== null) return void (await skip('read'));
    // The row folded further events since this job was queued: the job of the latest one pushes.
    if (context.notification.count > count) return;

    const payload = buildPushPayload(context, { previews: team.pushPreviews });
    const keys = await vapid.keys();
    const outcomes = await Promise.all(subscriptions.map((s) => send(s, payload, { ...keys, subject: vapid.subject }, allowHttp)));
    const now = clock();
    await transact(store, async (tx) => {
      for (const o of outcomes) {
        if (o.gone) await deletePushSubscription(tx, o.subscription.id);
        else await recordPushOutcome(tx, o.subscription.id, o.delivered, now);
      }
      await recordDeliveries(
        tx,
        outcomes.map((o) =>
          delivery(userId, notificationId, context.conversation.id, o.subscription, o.delivered ? { status: 'sent' } : { status: 'failed', error: o.error }),
        ),
        now,
      );
    });
  };
}

function delivery(
  userId: number,
  notificationId: number,
  conversationId: number | null,
  subscription: PushSubscriptionRecord,
  outcome: Pick<NewDelivery, 'status' | 'reason' | 'error'>,
): NewDelivery {
  return { userId, notificationId, conversationId, channel: 'push', target: pushServiceHost(subscription.endpoint), ...outcome };
}

async function send(
  subscription: PushSubscriptionRecord,
  payload: PushPayload,
  vapid: { publicKey: string; privateKey: string; subject: string },
  allowHttp: boolean,
): Promise<Outcome> {
  const failed = (error: string, gone = false): Outcome => ({ subscription, delivered: false, gone, error });
  if (!isAllowedEndpoint(subscription.endpoint, allowHttp)) return failed('endpoint not allowed: https only (PUSH_ALLOW_HTTP is off)');
  try {
    // web-push encrypts and signs; the request is ours (its own sender speaks https only,
    // and follows no redirect policy we chose).
    const details = webPush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: vapid,
        TTL: PUSH_TTL_SECONDS,
        urgency: URGENT_KINDS.has(payload.kind) ? 'high' : 'normal',
        // A push service keeps only the latest undelivered push of one topic.
        topic: payload.tag.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32),
      },
    );
    const headers = Object.fromEntries(
      Object.entries(details.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length')
        .map(([k, v]) => [k, String(v)]),
    );
    const response = await fetch(details.endpoint, {
      method: details.method,
      headers,
      body: details.body ? new Uint8Array(details.body) : undefined,
      // A redirect would send our signed request somewhere the subscription never named.
      redirect: 'manual',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return failed(`the push service answered ${response.status}: subscription removed`, true);
    if (response.status < 200 || response.status >= 300) return failed(`the push service answered ${response.status}`);
    return { subscription, delivered: true, gone: false, error: null };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}
