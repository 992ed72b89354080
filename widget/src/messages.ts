// '.js': the root type check (NodeNext) reads this file too, through its unit test.
import type { Message } from './types.js';

/**
 * A message on its way. `echoed` is set when the live stream delivered a message of the
 * visitor's with this text before the send's own answer: the thread then shows it once
 * (the confirmed one), and the item only reappears if its send fails after all.
 */
export type Outgoing = { key: number; requestId: string; body: string; files: File[]; failed: boolean; echoed?: boolean };

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

/** The oldest unsent item a newly arrived message of the visitor's stands for, marked echoed. */
export function markEchoed(outgoing: Outgoing[], message: Message): Outgoing[] {
  const match = outgoing.find(
    (item) => !item.failed && !item.echoed && item.body.trim() === message.body.trim() && item.files.length === message.attachments.length,
  );
  return match ? outgoing.map((item) => (item === match ? { ...item, echoed: true } : item)) : outgoing;
}
