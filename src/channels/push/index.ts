import type { JobHandler } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import type { PushSubscriptionRecord } from '../../store/push-subscriptions.js';
import { createPushHandler } from './send.js';
import { listUserPushSubscriptions, type SubscribeInput, subscribePush, unsubscribePush } from './subscriptions.js';
import { createVapid, vapidSubject } from './vapid.js';

// Web Push, the channel that reaches a team member whose Onethread tab is closed (issue 18
// "Desktop"). What the routes (http/routes/push.ts) and the composition root need of it.

export { PUSH_JOB } from '../../inbox/notifications/push-plan.js';
export { buildPushPayload, type PushPayload } from './payload.js';

export type PushChannelOptions = {
  store: Store;
  /** PUSH_ALLOW_HTTP: plain http endpoints too (tests, a local push service). */
  allowHttp: boolean;
  supportAddresses: readonly string[];
  publicUrl: string;
  clock?: () => number;
};

export type PushChannel = {
  /** The VAPID public key browsers subscribe with (base64url). */
  publicKey(): Promise<string>;
  subscribe(userId: number, input: SubscribeInput): Promise<{ subscription: PushSubscriptionRecord; created: boolean }>;
  list(userId: number): Promise<PushSubscriptionRecord[]>;
  unsubscribe(userId: number, id: number): Promise<boolean>;
  handler: JobHandler;
  /** Makes (or reads) the key pair at start, so the first subscriber does not wait for it. */
  start(): Promise<void>;
};

export function createPushChannel(options: PushChannelOptions): PushChannel {
  const { store, allowHttp } = options;
  const clock = options.clock ?? Date.now;
  const vapid = createVapid(store, vapidSubject(options.supportAddresses, options.publicUrl));
  return {
    publicKey: async () => (await vapid.keys()).publicKey,
    subscribe: (userId, input) => subscribePush(store, { allowHttp, now: clock() }, userId, input),
    list: (userId) => listUserPushSubscriptions(store, userId),
    unsubscribe: (userId, id) => unsubscribePush(store, userId, id),
    handler: createPushHandler({ store, vapid, allowHttp, clock }),
    start: async () => void (await vapid.keys()),
  };
}
