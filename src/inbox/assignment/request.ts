import { anyQueued } from '../../store/assignment.js';
import type { ConversationRow } from '../../store/schema.js';
import { setTimer } from '../../store/timers.js';
import type { Tx } from '../../store/transaction.js';

// When to drain the assignment queues (assignment/drain.ts does it): the moment someone may
// have room — a conversation resolved, closed, deleted or taken from its assignee, a member's
// first inbox socket, availability back to automatic, a rule or membership change. Each arms
// ONE durable timer, due at once (many arms before it fires make one drain), and only while
// something waits: with empty queues, making room costs one indexed read.
//
// PostgreSQL runs transactions side by side, so room made while another transaction queues a
// conversation (it read the loads before the room was committed; this one saw no queue yet)
// would wake nobody. A queued conversation therefore also arms a recheck, RECHECK_MS later,
// under a key of its own so it never postpones the immediate drain.

export const DRAIN_TIMER = 'assignment.drain';
const RECHECK_KEY = 'assignment.drain.recheck';
const RECHECK_MS = 30_000;

export async function requestDrain(tx: Tx, now: number): Promise<void> {
  if (await anyQueued(tx)) await setTimer(tx, { key: DRAIN_TIMER, kind: DRAIN_TIMER, dueAt: now, payload: null }, now);
}

/** For the transaction that queued a conversation. */
export async function requestRecheck(tx: Tx, now: number): Promise<void> {
  await setTimer(tx, { key: RECHECK_KEY, kind: DRAIN_TIMER, dueAt: now + RECHECK_MS, payload: null }, now);
}

const holds = (row: ConversationRow) => row.assignedTo !== null && (row.status === 'open' || row.status === 'pending');

/** Whether a conversation's change gave its assignee room: resolved, closed, or given to someone else or nobody. */
export function madeRoom(before: ConversationRow, after: ConversationRow | null): boolean {
  return holds(before) && (after === null || !holds(after) || after.assignedTo !== before.assignedTo);
}
