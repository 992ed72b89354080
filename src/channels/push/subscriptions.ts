import { invalid } from '../../errors.js';
import type { Store } from '../../store/database.js';
import {
  deleteUserPushSubscription,
  listPushSubscriptions,
  type PushSubscriptionRecord,
  trimPushSubscriptions,
  upsertPushSubscription,
} from '../../store/push-subscriptions.js';
import { transact } from '../../store/transaction.js';
import { isAllowedEndpoint } from './endpoint.js';

// A team member's browsers (PushSwitch in the web app subscribes one). These rows are the
// push channel's own, like the email channel's mail rows: no conversation, no event.

export type SubscribeInput = { endpoint: string; keys: { p256dh: string; auth: string }; userAgent: string | null };

const base64url = (text: string) => Buffer.from(text, 'base64url');

/**
 * Browsers a user may have subscribed at once: a new one beyond it replaces the oldest (a
 * browser that reinstalls gets a new endpoint and never says the old one is gone). Also
 * bounds how many requests one account can make the server send per notification.
 */
export const MAX_SUBSCRIPTIONS_PER_USER = 10;

export async function subscribePush(
  store: Store,
  options: { allowHttp: boolean; now: number },
  userId: number,
  input: SubscribeInput,
): Promise<{ subscription: PushSubscriptionRecord; created: boolean }> {
  if (!isAllowedEndpoint(input.endpoint, options.allowHttp)) throw invalid('endpoint', 'endpoint must be an https URL of a push service');
  // An uncompressed P-256 point and a 16-byte secret (RFC 8291 §3): anything else cannot be encrypted for.
  const key = base64url(input.keys.p256dh);
  if (key.length !== 65 || key[0] !== 0x04) throw invalid('keys.p256dh', 'keys.p256dh must be an uncompressed P-256 public key, base64url');
  if (base64url(input.keys.auth).length !== 16) throw invalid('keys.auth', 'keys.auth must be 16 bytes, base64url');
  return transact(store, async (tx) => {
    const sub = { userId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, userAgent: input.userAgent?.slice(0, 300) ?? null };
    const result = await upsertPushSubscription(tx, sub, options.now);
    await trimPushSubscriptions(tx, userId, MAX_SUBSCRIPTIONS_PER_USER, result.subscription.id);
    return result;
  });
}

export function listUserPushSubscriptions(store: Store, userId: number): Promise<PushSubscriptionRecord[]> {
  return transact(store, (tx) => listPushSubscriptions(tx, userId));
}

/** False when the user has no subscription of that id (someone else's included). */
export function unsubscribePush(store: Store, userId: number, id: number): Promise<boolean> {
  return transact(store, (tx) => deleteUserPushSubscription(tx, userId, id));
}
