import { notFound } from '../errors.js';
import { parseConversationNumber } from './records.js';

/** A conversation as callers name it: its id, or its number `CONV-000123`. */
export type ConversationRef = number | string;

export function resolveConversationRef(ref: ConversationRef): { id: number } | { number: number } {
  if (typeof ref === 'number' && Number.isSafeInteger(ref) && ref > 0) return { id: ref };
  if (typeof ref === 'string') {
    if (/^\d{1,15}$/.test(ref)) return { id: Number(ref) };
    const number = parseConversationNumber(ref);
    if (number !== null) return { number };
  }
  throw notFound('conversation');
}
