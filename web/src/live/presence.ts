import { useSyncExternalStore } from 'react';
import type { PresenceFrame, PresenceState } from './connection';

// Who else has a conversation open, from the other agents' presence messages. Each
// report expires on its own (viewing after 40 s, typing after 6 s): a closed laptop
// never sends "left".

const VIEWING_MS = 40_000;
const TYPING_MS = 6_000;

export type Presence = { userId: number; name: string; state: Exclude<PresenceState, 'left'>; expiresAt: number };

const byConversation = new Map<number, Map<number, Presence>>();
const listeners = new Set<() => void>();
const snapshots = new Map<number, Presence[]>();
let timer: ReturnType<typeof setTimeout> | undefined;
const EMPTY: Presence[] = [];

function changed(conversationId: number) {
  const people = byConversation.get(conversationId);
  snapshots.set(conversationId, people ? [...people.values()].sort((a, b) => a.name.localeCompare(b.name)) : EMPTY);
  for (const listener of listeners) listener();
}

function scheduleExpiry() {
  clearTimeout(timer);
  let next = Infinity;
  for (const people of byConversation.values()) for (const p of people.values()) next = Math.min(next, p.expiresAt);
  if (next === Infinity) return;
  timer = setTimeout(expire, Math.max(0, next - Date.now()) + 50);
}

function expire() {
  const now = Date.now();
  for (const [conversationId, people] of byConversation) {
    let touched = false;
    for (const [userId, p] of people) {
      if (p.expiresAt <= now) {
        people.delete(userId);
        touched = true;
      }
    }
    if (people.size === 0) byConversation.delete(conversationId);
    if (touched) changed(conversationId);
  }
  scheduleExpiry();
}

export function receivePresence(frame: PresenceFrame, myId: number): void {
  const { conversationId, user, state } = frame.data;
  if (user.id === myId || typeof conversationId !== 'number') return;
  const people = byConversation.get(conversationId) ?? new Map<number, Presence>();
  if (state === 'left') people.delete(user.id);
  else people.set(user.id, { userId: user.id, name: user.name, state, expiresAt: Date.now() + (state === 'typing' ? TYPING_MS : VIEWING_MS) });
  if (people.size) byConversation.set(conversationId, people);
  else byConversation.delete(conversationId);
  changed(conversationId);
  scheduleExpiry();
}

export function usePresence(conversationId: number | null): Presence[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => (conversationId === null ? EMPTY : (snapshots.get(conversationId) ?? EMPTY)),
  );
}

/** "Ben is viewing", "Ana and Ben are typing…" */
export function describePresence(people: Presence[]): string | null {
  if (people.length === 0) return null;
  const typing = people.filter((p) => p.state === 'typing').map((p) => p.name);
  const viewing = people.filter((p) => p.state === 'viewing').map((p) => p.name);
  const list = (names: string[]) => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
  const parts: string[] = [];
  if (typing.length) parts.push(`${list(typing)} ${typing.length === 1 ? 'is' : 'are'} typing…`);
  if (viewing.length) parts.push(`${list(viewing)} ${viewing.length === 1 ? 'is' : 'are'} viewing`);
  return parts.join(' · ');
}
