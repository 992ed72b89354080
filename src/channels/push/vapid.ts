import webPush from 'web-push';
import type { Store } from '../../store/database.js';
import { notificationSettingOrInsert } from '../../store/notification-preferences.js';
import { transact } from '../../store/transaction.js';

// The VAPID key pair (RFC 8292) every push is signed with. Made at the first start and kept
// in notification_settings: the first instance to store a pair wins and every other one
// reads that, so a browser subscribed through one instance accepts pushes from all.

export const VAPID_SETTING = 'vapid';

export type VapidKeys = { publicKey: string; privateKey: string };

export type Vapid = {
  /** The stored pair, made on the first call ever. */
  keys(): Promise<VapidKeys>;
  /** Who runs this server, for the push service to contact: a mailto: or an https: URL. */
  subject: string;
};

export function createVapid(store: Store, subject: string): Vapid {
  let loaded: Promise<VapidKeys> | null = null;
  const load = async () => {
    const fresh = JSON.stringify(webPush.generateVAPIDKeys());
    const stored = await transact(store, (tx) => notificationSettingOrInsert(tx, VAPID_SETTING, fresh));
    return JSON.parse(stored) as VapidKeys;
  };
  return {
    subject,
    keys() {
      // A failed load (the database away) is tried again by the next caller.
      loaded ??= load().catch((error) => {
        loaded = null;
        throw error;
      });
      return loaded;
    },
  };
}

/**
 * The subject push services may write to about our pushes: the first support address, else
 * the public URL when it is https, else a postmaster address of its host (web-push accepts
 * only mailto: and https:, and Apple refuses localhost URLs).
 */
export function vapidSubject(supportAddresses: readonly string[], publicUrl: string): string {
  const address = supportAddresses[0];
  if (address) return `mailto:${address}`;
  const url = new URL(publicUrl);
  return url.protocol === 'https:' ? url.origin : `mailto:postmaster@${url.hostname}`;
}
