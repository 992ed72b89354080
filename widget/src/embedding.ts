import type { Details, Identity } from './types';

/** What the host page's script tag tells the widget. */
type Embedding = { origin: string; identity: Identity | null; details: Details };

/**
 * Reads the script tag that loaded the widget: its URL's origin is the server, its
 * data-user-* attributes the visitor. Must run during the script's first execution, the
 * only time document.currentScript is set; the data-onethread attribute finds the tag
 * otherwise (a loader that injected it, for one).
 */
export function readEmbedding(): Embedding | null {
  const current = document.currentScript;
  const script = current instanceof HTMLScriptElement && current.src ? current : document.querySelector<HTMLScriptElement>('script[data-onethread][src]');
  if (!script) return null;
  const { userId, userEmail, userName, userHash } = script.dataset;
  const email = userEmail || undefined;
  const name = userName || undefined;
  // Without a hash the attributes vouch for nothing; name and email are then only
  // contact details, as if typed into the pre-chat form.
  const identity = userId && userHash ? { userId, hash: userHash, email, name } : null;
  return { origin: new URL(script.src, location.href).origin, identity, details: identity ? {} : { name, email } };
}
