// What the widget remembers across the host site's pages, in the host origin's
// localStorage: the visitor token, whether the panel was open, the last message seen.
// Reading or writing throws where storage is blocked (some privacy modes, sandboxed
// frames); the widget then remembers for the page's lifetime only.

export const TOKEN_KEY = 'onethread.visitor';
export const OPEN_KEY = 'onethread.open';
export const SEEN_KEY = 'onethread.seen';

export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered: see above.
  }
}
