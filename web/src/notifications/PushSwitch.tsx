import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { pushApi } from './push-api';

// "Desktop notifications when Onethread is closed" (issue 18): Web Push through the service
// worker at /sw.js. On: permission, the worker, a subscription made with the server's VAPID
// key, posted to the server. Off: the subscription goes, here and there. The switch shows
// what this browser has: a subscription the server no longer knows (removed elsewhere, or
// taken over by another account on this browser) is posted again when found.

type State = 'checking' | 'unsupported' | 'denied' | 'off' | 'on';

const WORKER = '/sw.js';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** base64url → the bytes PushManager.subscribe wants as applicationServerKey. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Ends this browser's push subscription, here and on the server. Signing out calls it too:
 * a shared browser must not go on receiving the previous person's notifications.
 */
export async function forgetPushSubscription(): Promise<void> {
  if (!supported()) return;
  const subscription = await currentSubscription();
  if (!subscription) return;
  const { items } = await pushApi.list();
  const mine = items.find((s) => s.endpoint === subscription.endpoint);
  if (mine) await pushApi.remove(mine.id);
  await subscription.unsubscribe();
}

export function PushSwitch() {
  const [state, setState] = useState<State>('checking');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      if (!supported()) return 'unsupported' as const;
      if (Notification.permission === 'denied') return 'denied' as const;
      const subscription = await currentSubscription();
      if (!subscription) return 'off' as const;
      const { items } = await pushApi.list();
      if (!items.some((s) => s.endpoint === subscription.endpoint)) await pushApi.subscribe(subscription.toJSON());
      return 'on' as const;
    })().then(
      (next) => live && setState(next),
      (e) => {
        if (!live) return;
        setState('off');
        setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const turnOn = useCallback(async () => {
    // Asked first, inside the click: browsers grant permission only to a user's gesture.
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') return setState(permission === 'denied' ? 'denied' : 'off');
    const registration = await navigator.serviceWorker.register(WORKER, { scope: '/' });
    await navigator.serviceWorker.ready;
    const { publicKey } = await pushApi.publicKey();
    let subscription = await registration.pushManager.getSubscription();
    // One made with another key (a reinstalled server) cannot be used: the browser refuses a second key.
    if (subscription && !sameKey(subscription, publicKey)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    await pushApi.subscribe(subscription.toJSON());
    setState('on');
  }, []);

  const turnOff = useCallback(async () => {
    await forgetPushSubscription();
    setState('off');
  }, []);

  const toggle = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await (on ? turnOn() : turnOff());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="push-switch">
      <label>
        <input
          type="checkbox"
          checked={state === 'on'}
          disabled={busy || state === 'checking' || state === 'unsupported' || state === 'denied'}
          onChange={(e) => void toggle(e.target.checked)}
        />{' '}
        Desktop notifications when Onethread is closed
      </label>
      {state === 'unsupported' ? <p className="hint">This browser cannot receive push notifications.</p> : null}
      {state === 'denied' ? <p className="hint">Notifications are blocked for this site: allow them in the browser's site settings, then reload.</p> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function sameKey(subscription: PushSubscription, publicKey: string): boolean {
  const key = subscription.options.applicationServerKey;
  if (!key) return false;
  const given = keyBytes(publicKey);
  const have = new Uint8Array(key);
  return have.length === given.length && have.every((b, i) => b === given[i]);
}
