import type { Message } from './types';

/**
 * The thread with `incoming` added once each, in id order. The same message can arrive
 * twice (the POST's answer and the live stream, or a replay after a reconnect); an
 * unchanged thread is returned as is, so nothing re-renders.
 */
export function mergeMessages(thread: Message[], incoming: Message[]): Message[] {
  const known = new Set(thread.map((message) => message.id));
  const fresh = incoming.filter((message) => !known.has(message.id));
  if (fresh.length === 0) return thread;
  const merged = new Map([...thread, ...fresh].map((message) => [message.id, message]));
  return [...merged.values()].sort((a, b) => a.id - b.id);
}

export function lastMessageId(thread: Message[]): number {
  return thread.at(-1)?.id ?? 0;
}

/** Messages from the team or the bot after the last one the visitor saw. */
export function unreadCount(thread: Message[], seen: number): number {
  return thread.filter((message) => message.sender.type !== 'customer' && message.id > seen).length;
}
