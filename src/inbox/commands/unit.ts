import { DomainError, notFound } from '../../errors.js';
import { findConversation, syncConversationTags, updateConversationRow } from '../../store/conversations.js';
import { addToCounters } from '../../store/counters.js';
import { queueDeliveries } from '../../store/deliveries.js';
import { insertEvents, type NewEvent } from '../../store/events.js';
import { enqueueJobs, type NewJob } from '../../store/outbox.js';
import type { ConversationPatch, ConversationRow, DeliveryRow } from '../../store/schema.js';
import { cancelTimer, setTimer } from '../../store/timers.js';
import { isUniqueViolation, type Tx, transact } from '../../store/transaction.js';
import type { ResolvedActor } from '../actors.js';
import { madeRoom, requestDrain } from '../assignment/request.js';
import { type InboxContext, isTimer, type NewTimer, type Origin } from '../context.js';
import { deriveNotifications } from '../notifications/derive.js';
import { type Conversation, type InboxEvent, toInboxEvent } from '../records.js';
import { type ConversationRef, resolveConversationRef } from '../refs.js';
import { recordFacts } from '../reports/facts.js';
import { countDeltas, type StatusChange, statusTimestamps, tagRowNames } from '../rules.js';

// The unit of work: one transaction that any number of commands join. Every command takes
// either the InboxContext (it runs in a unit of its own, as a single command always did)
// or a caller's Unit (it joins that unit's transaction):
//
//   await inUnit(ctx, async (unit) => {
//     const created = await createConversation(unit, …);
//     await linkFollowUp(unit, { conversation: old.id, followUp: created.conversation.id, … });
//   });
//
// Everything the commands write — rows, events, derived rows, outbox jobs, timers —
// commits in that one transaction, and the events are published on the bus once, after
// the commit; a unit that rolls back publishes nothing.
//
// The rules:
// - One failure fails the unit. A command that throws inside a unit may have written half
//   of its rows (and on PostgreSQL the transaction is aborted), so the unit is done for:
//   later commands on it rethrow that error, and so does inUnit even if the caller caught
//   it. A caller that wants to try something else runs a new unit. (Checks a command makes
//   before it writes anything, such as a subject too long, throw before it joins, so they
//   do not fail the unit.)
// - Idempotency keys work inside a unit: a key seen before answers the first result
//   (`created: false`). Two units racing with one key both miss the lookup on PostgreSQL;
//   the loser's insert hits the unique key, which fails its whole unit. inUnit then runs
//   the unit's work ONCE more from the start, in a new transaction, where the lookup finds
//   the winner's message. So a unit's work must only write through the unit (the same
//   holds anyway: transact runs it again after a deadlock).
// - transact is used here only, at the outermost level: units never nest.

export class Unit {
  readonly #events: InboxEvent[] = [];
  #failure: { error: unknown } | null = null;
  #lostKeyRace = false;

  /** `origin`: overrides the actors' origin on every event of the unit (an importer passes `import`). */
  constructor(
    readonly ctx: InboxContext,
    readonly tx: Tx,
    readonly origin: Origin | undefined,
  ) {}

  /** Sets (or replaces) a timer in this unit's transaction: gone if the unit rolls back. */
  setTimer(timer: NewTimer): Promise<void> {
    return setTimer(this.tx, timer, this.ctx.clock());
  }

  cancelTimer(key: string): Promise<boolean> {
    return cancelTimer(this.tx, key);
  }

  /** Runs one command's work in this unit; see the rules above. */
  async run<T>(work: (unit: Unit, now: number) => Promise<T>): Promise<T> {
    if (this.#failure) throw this.#failure.error;
    try {
      return await work(this, this.ctx.clock());
    } catch (error) {
      this.#failure ??= { error };
      throw error;
    }
  }

  /** A message command's insert hit a unique key under an idempotency key: another unit won the race. */
  lostKeyRace(): void {
    this.#lostKeyRace = true;
  }

  get racedOnKey(): boolean {
    return this.#lostKeyRace;
  }

  #nudge = false;
  /** The unit wrote what the live stream must send though no event says it (notification_changes): wake it after commit. */
  nudgeLive(): void {
    this.#nudge = true;
  }

  get nudgesLive(): boolean {
    return this.#nudge;
  }

  /** @internal recordEvents adds what it wrote. */
  addEvents(events: readonly InboxEvent[]): void {
    this.#events.push(...events);
  }

  readonly #held = new Map<number, { stored: ConversationRow | null; current: ConversationRow | null }>();

  /**
   * Holds a conversation's row in this unit until it ends: lockConversation reads it from
   * here and writeConversation writes it here, and the unit writes it once, with what derives
   * from it (counters, tag rows, the drain), before it commits. For a unit that writes a
   * conversation's whole history (an import): each message moved the row through every list
   * index, most of an imported message's cost. Only what reads the row through
   * lockConversation sees it as the commands left it, so a unit holds a row only while its
   * own commands are all that touch it.
   */
  holdConversation(id: number): void {
    if (!this.#held.has(id)) this.#held.set(id, { stored: null, current: null });
  }

  /** @internal lockConversation and writeConversation keep the held rows. */
  held(id: number): { stored: ConversationRow | null; current: ConversationRow | null } | undefined {
    return this.#held.get(id);
  }

  /** @internal Writes the held rows that changed; the unit runs this before it commits. */
  async writeHeld(): Promise<void> {
    for (const held of this.#held.values()) {
      if (held.stored && held.current && held.current !== held.stored) await writeThrough(this.tx, held.stored, changedColumns(held.stored, held.current));
      held.stored = held.current;
    }
  }

  get holdsAny(): boolean {
    return this.#held.size > 0;
  }

  #memo: Map<string, Promise<unknown>> | null = null;

  /**
   * Lets this unit remember what its commands look up — who a sender is, whether an address
   * is blocked, that someone follows a conversation — instead of asking the database for
   * every message. For a unit that writes many messages by the same people (an import):
   * only sound while the unit's own commands are all that change those rows, as for
   * holdConversation.
   */
  rememberLookups(): void {
    this.#memo ??= new Map();
  }

  /** `look`'s answer: asked once per key in a unit that remembers lookups, every time otherwise. */
  remembered<T>(key: string, look: () => Promise<T>): Promise<T> {
    if (!this.#memo) return look();
    let answer = this.#memo.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = look();
      this.#memo.set(key, answer);
    }
    return answer;
  }

  /** @internal The events to publish once the unit committed; throws if a command of the unit failed. */
  finish(): InboxEvent[] {
    if (this.#failure) throw this.#failure.error;
    return this.#events;
  }
}

/** Where a command runs: in a unit of its own (the context), or in a caller's unit. */
export type CommandTarget = InboxContext | Unit;

/** Runs `work` in one unit of work; see the rules above. `origin` overrides the actors'. */
export async function inUnit<T>(ctx: InboxContext, work: (unit: Unit) => Promise<T>, options: { origin?: Origin } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let unit: Unit | undefined;
    try {
      const { result, events } = await transact(ctx.store, async (tx) => {
        unit = new Unit(ctx, tx, options.origin);
        const result = await work(unit);
        await unit.writeHeld();
        return { result, events: unit.finish() };
      });
      ctx.bus.publish(events);
      if (events.length === 0 && unit?.nudgesLive) ctx.bus.nudge();
      return result;
    } catch (error) {
      if (attempt === 1 && unit?.racedOnKey && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** A command's body, in the target's unit or a new one. */
export function runCommand<T>(target: CommandTarget, work: (unit: Unit, now: number) => Promise<T>): Promise<T> {
  if (target instanceof Unit) return target.run(work);
  return inUnit(target, (unit) => unit.run(work));
}

/** What recordEvents wrote: the events, the deliveries their jobs queued (by message id), and how many jobs were queued. */
export type Recorded = { events: InboxEvent[]; deliveries: Map<number, DeliveryRow>; jobs: number };

/** Writes the events and the jobs and timers they plan, in the unit's transaction; the unit publishes them after commit. */
export async function recordEvents(unit: Unit, events: NewEvent[], conversation: Conversation | null): Promise<Recorded> {
  const { ctx, tx } = unit;
  const stamped = unit.origin ? events.map((e) => ({ ...e, origin: unit.origin! })) : events;
  const written = (await insertEvents(tx, ctx.store.dialect, stamped)).map(toInboxEvent);
  // Notifications come from the same events, in the same transaction; a shelved conversation (spam, a merge's tombstone) tells nobody.
  if (!conversation?.shelf) await deriveNotifications(unit, written, conversation);
  // So do the reports' facts (a shelf moves or drops them: inbox/reports/facts.ts).
  await recordFacts(unit, written, conversation);
  // Spam asks nothing of anyone: no acknowledgement to a blocked sender, no mail, no
  // notification. One rule here rather than one in every planner; the spam commands set
  // their own timer (the purge) directly.
  const planned = conversation?.shelf === 'spam' ? [] : written.flatMap((event) => ctx.sideEffects.flatMap((plan) => plan(event, conversation)));
  const jobs = planned.filter((p): p is NewJob => !isTimer(p));
  const now = events[0]?.createdAt ?? ctx.clock();
  await enqueueJobs(tx, jobs, now);
  for (const timer of planned.filter(isTimer)) await unit.setTimer(timer);
  const queued = await queueDeliveries(
    tx,
    jobs.flatMap((job) => job.delivers ?? []),
    now,
  );
  unit.addEvents(written);
  return { events: written, deliveries: new Map(queued.map((row) => [Number(row.messageId), row])), jobs: jobs.length };
}

export const countable = (row: ConversationRow) => ({ ...row, labels: JSON.parse(row.labels) as string[], tags: JSON.parse(row.tags) as string[] });

/** Updates a conversation and everything derived from it: counters, label/tag rows, and the assignment drain when it made room. */
export async function writeConversation(unit: Unit, before: ConversationRow, patch: ConversationPatch): Promise<ConversationRow> {
  const held = unit.held(Number(before.id));
  if (held?.current && !Object.keys(patch).some((column) => COMPUTED_FROM.has(column))) {
    held.current = { ...held.current, ...patch } as ConversationRow;
    return held.current;
  }
  // What the database computes from the patch (the priority's rank, the team's name) is read back from it.
  if (held) await unit.writeHeld();
  const after = await writeThrough(unit.tx, before, patch);
  if (held) Object.assign(held, { stored: after, current: after });
  return after;
}

/** Columns whose patch the database turns into others: a held row cannot apply them in memory. */
const COMPUTED_FROM = new Set(['priority', 'teamId']);

async function writeThrough(tx: Tx, before: ConversationRow, patch: ConversationPatch): Promise<ConversationRow> {
  const after = await updateConversationRow(tx, Number(before.id), patch);
  const [was, is] = [countable(before), countable(after)];
  await addToCounters(tx, countDeltas(was, is));
  const names = tagRowNames(is.labels, is.tags);
  const previous = tagRowNames(was.labels, was.tags);
  const moved = before.status !== after.status || before.lastMessageAt !== after.lastMessageAt;
  if ((names.length > 0 && moved) || names.join() !== previous.join()) await syncConversationTags(tx, after, names, previous);
  if (madeRoom(before, after)) await requestDrain(tx, after.updatedAt);
  return after;
}

/** The columns a held row's commands changed: its one update. */
function changedColumns(stored: ConversationRow, current: ConversationRow): ConversationPatch {
  const changed = Object.entries(current).filter(
    ([column, value]) => column !== 'teamName' && column !== 'priorityRank' && stored[column as keyof ConversationRow] !== value,
  );
  return Object.fromEntries(changed) as ConversationPatch;
}

/**
 * A merged conversation is a tombstone: what is written to it belongs to the conversation it
 * went into (mail follows there by itself; an API caller is told where).
 */
export function refuseTombstone(row: ConversationRow): void {
  if (row.shelf === 'merged') throw new DomainError('invalid_transition', `this conversation was merged into conversation ${row.mergedInto}: write there`);
}

export async function lockConversation(unit: Unit, ref: ConversationRef): Promise<ConversationRow> {
  const by = resolveConversationRef(ref);
  const held = 'id' in by ? unit.held(by.id) : undefined;
  if (held?.current) return held.current;
  // A number might name a held row: the database must have it as the commands left it.
  if (!('id' in by) && unit.holdsAny) await unit.writeHeld();
  const row = await findConversation(unit.tx, unit.ctx.store.dialect, by, true);
  if (!row) throw notFound('conversation');
  if (held) Object.assign(held, { stored: row, current: row });
  return row;
}

export function eventBy(actor: ResolvedActor, conversationId: number, now: number) {
  return (eventType: string, oldValue?: unknown, newValue?: unknown): NewEvent => ({
    conversationId,
    eventType,
    performedBy: actor.id,
    performedByName: actor.name,
    origin: actor.origin,
    oldValue,
    newValue,
    createdAt: now,
  });
}

export function statusPatch(row: ConversationRow, change: StatusChange | null, now: number): ConversationPatch {
  return change ? { status: change.to, ...statusTimestamps(row, change.to, now) } : {};
}
