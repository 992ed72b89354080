import { useEffect } from 'react';

// A reply or note typed and left stays where the agent left it: switching conversation,
// reloading and closing the tab keep it. The browser's localStorage is enough for that:
// a draft is the agent's unfinished work on this device, not something the team shares,
// and it is written as it is typed, so nothing is lost when the tab goes away. The key
// holds the user id and the conversation id, so a draft is one agent's, for one
// conversation: a colleague signing in on the same browser does not get it. Attached
// files are not kept (a File cannot be stored); the text and the reply/note choice are.
// A sent message clears its draft; drafts left untouched for a month are dropped.

export type DraftMode = 'reply' | 'note';
export type SavedDraft = { text: string; mode: DraftMode };

const PREFIX = 'onethread.draft.';
const KEEP_MS = 30 * 24 * 60 * 60 * 1000;

const keyOf = (userId: number, conversationId: number) => `${PREFIX}${userId}.${conversationId}`;

/** localStorage may be missing, full or refused (a private window, a policy): drafts are then only in memory. */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function readDraft(userId: number, conversationId: number): SavedDraft | null {
  try {
    const raw = storage()?.getItem(keyOf(userId, conversationId));
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<SavedDraft & { savedAt: number }>;
    if (typeof value.text !== 'string' || !value.text) return null;
    return { text: value.text, mode: value.mode === 'note' ? 'note' : 'reply' };
  } catch {
    return null;
  }
}

/** Keeps the draft, or forgets it when there is no text left. */
export function saveDraft(userId: number, conversationId: number, draft: SavedDraft): void {
  try {
    const store = storage();
    if (!store) return;
    if (draft.text.trim()) store.setItem(keyOf(userId, conversationId), JSON.stringify({ ...draft, savedAt: Date.now() }));
    else store.removeItem(keyOf(userId, conversationId));
  } catch {
    // Full: the draft stays in the composer for as long as it is open.
  }
}

let pruned = false;

/** Once per page: drops drafts nobody touched for a month, so old ones do not pile up. */
function pruneOldDrafts(): void {
  if (pruned) return;
  pruned = true;
  try {
    const store = storage();
    if (!store) return;
    const cutoff = Date.now() - KEEP_MS;
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (!key?.startsWith(PREFIX)) continue;
      let savedAt = 0;
      try {
        savedAt = Number((JSON.parse(store.getItem(key) ?? '{}') as { savedAt?: unknown }).savedAt) || 0;
      } catch {
        // Unreadable: dropped below.
      }
      if (savedAt < cutoff) store.removeItem(key);
    }
  } catch {
    // Nothing to tidy.
  }
}

/** Writes the composer's text and mode as the draft of this agent's conversation, as they change. */
export function useDraft(userId: number, conversationId: number, text: string, mode: DraftMode): void {
  useEffect(pruneOldDrafts, []);
  useEffect(() => saveDraft(userId, conversationId, { text, mode }), [userId, conversationId, text, mode]);
}
