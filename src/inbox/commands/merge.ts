import { DomainError, invalid, notFound } from '../../errors.js';
import { findConversation } from '../../store/conversations.js';
import { addFollowers, listFollowers } from '../../store/followers.js';
import { findOpenMerge, insertMerge, listMessageFacts, markUnmerged, moveMessages, removeFollowers } from '../../store/merges.js';
import type { ConversationRow } from '../../store/schema.js';
import { findTimer } from '../../store/timers.js';
import { type Actor, type ResolvedActor, resolveActor } from '../actors.js';
import { mergeParticipants } from '../participants.js';
import { isTeam } from '../policies.js';
import { type Conversation, formatConversationNumber, type Participant, toConversation } from '../records.js';
import { type ConversationRef, resolveConversationRef } from '../refs.js';
import { BOT_TAG, normalizeLabels, normalizeTags, statusTimestamps } from '../rules.js';
import { combineDerived, DERIVED, type Derived, deriveFromMessages, type MergeRecord, pick, RESTORED, sameDerived } from './merge-record.js';
import { type CommandTarget, eventBy, recordEvents, runCommand, type Unit, writeConversation } from './unit.js';

// Merging conversation B (the source) into A (the target), and undoing it. B's messages move
// to A keeping their ids and times, so A's thread is both in time order; B stays behind as a
// tombstone (closed, on the `merged` shelf, `mergedInto` A) whose links and mail threads
// lead to A (channels/email/threading.ts follows mergedInto). What the merge changed is
// written down (conversation_merges.record) so that an unmerge within 30 days puts back
// exactly that: B's messages by id, B's own fields, A without what B brought.
// B's events stay on B throughout; each side only gains its merged/unmerged events.

export const UNMERGE_DAYS = 30;
const UNMERGE_WINDOW_MS = UNMERGE_DAYS * 24 * 60 * 60 * 1000;

const SNOOZE_TIMER = (id: number) => `snooze:${id}`;

export type MergeResult = { source: Conversation; target: Conversation };

/** Locks both rows, lower id first: two merges of the same pair in opposite directions never wait on each other in a cycle. */
async function lockPair(unit: Unit, a: ConversationRef, b: ConversationRef): Promise<[ConversationRow, ConversationRow]> {
  const { tx, ctx } = unit;
  const [first, second] = await Promise.all([
    findConversation(tx, ctx.store.dialect, resolveConversationRef(a)),
    findConversation(tx, ctx.store.dialect, resolveConversationRef(b)),
  ]);
  if (!first || !second) throw notFound('conversation');
  const locked = new Map<number, ConversationRow>();
  for (const id of [...new Set([Number(first.id), Number(second.id)])].sort((x, y) => x - y)) {
    const row = await findConversation(tx, ctx.store.dialect, { id }, true);
    if (!row) throw notFound('conversation');
    locked.set(id, row);
  }
  return [locked.get(Number(first.id))!, locked.get(Number(second.id))!];
}

async function teamActor(unit: Unit, by: Actor, now: number): Promise<ResolvedActor> {
  const actor = await resolveActor(unit.tx, by, now);
  // The team sees every conversation (policies canView), so seeing both is being on the team.
  if (!isTeam(actor)) throw new DomainError('forbidden', 'only the team merges conversations');
  return actor;
}

const numberOf = (row: ConversationRow) => formatConversationNumber(row.number);
const parse = <T>(json: string) => JSON.parse(json) as T;

export function mergeConversations(
  target: CommandTarget,
  input: { source: ConversationRef; into: ConversationRef; by: Actor; confirmDifferentCustomers?: boolean },
): Promise<MergeResult> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const actor = await teamActor(unit, input.by, now);
    const [source, into] = await lockPair(unit, input.source, input.into);
    if (source.id === into.id) throw invalid('into', 'a conversation cannot be merged into itself');
    if (source.shelf === 'merged') throw new DomainError('conflict', `${numberOf(source)} is already merged into another conversation`, 'id');
    if (into.shelf === 'merged') throw new DomainError('conflict', `${numberOf(into)} was merged into another conversation: merge into that one`, 'into');
    if (into.shelf === 'spam') throw new DomainError('conflict', `${numberOf(into)} is spam: restore it before merging into it`, 'into');
    if (Number(source.customerId) !== Number(into.customerId) && !input.confirmDifferentCustomers) {
      throw new DomainError(
        'conflict',
        `${numberOf(source)} is ${source.customerEmail}'s and ${numberOf(into)} is ${into.customerEmail}'s: confirm to merge conversations of different customers (each then sees the other's messages)`,
        'confirmDifferentCustomers',
      );
    }

    const facts = await listMessageFacts(tx, Number(source.id));
    const messageIds = facts.map((m) => m.id);
    await moveMessages(tx, messageIds, Number(source.id), Number(into.id));

    const targetBefore = pick(into, DERIVED);
    const derived = combineDerived(targetBefore, pick(source, DERIVED));
    const [aTags, bTags] = [parse<string[]>(into.tags), parse<string[]>(source.tags)];
    const [aLabels, bLabels] = [parse<string[]>(into.labels), parse<string[]>(source.labels)];
    const [aPeople, bPeople] = [parse<Participant[]>(into.participants), parse<Participant[]>(source.participants)];
    // The bot's tag says who answers a chat: B's bot does not take A over.
    const tags = normalizeTags([...aTags, ...bTags.filter((t) => t !== BOT_TAG)]);
    const labels = normalizeLabels([...aLabels, ...bLabels]);
    const participants = mergeParticipants(
      aPeople,
      bPeople.filter((p) => p.email !== into.customerEmail),
    );
    const after = await writeConversation(unit, into, {
      ...derived,
      tags: JSON.stringify(tags),
      labels: JSON.stringify(labels),
      participants: JSON.stringify(participants),
      updatedAt: now,
    });

    const targetFollowers = new Set((await listFollowers(tx, Number(into.id))).map((f) => f.userId));
    const newFollowers = (await listFollowers(tx, Number(source.id))).filter((f) => !targetFollowers.has(f.userId));
    for (const f of newFollowers) await addFollowers(tx, Number(into.id), [f.userId], f.reason, f.createdAt);

    const timer = await findTimer(tx, SNOOZE_TIMER(Number(source.id)));
    if (timer) await unit.cancelTimer(timer.key);
    const tombstone = await writeConversation(unit, source, {
      status: 'closed',
      ...statusTimestamps(source, 'closed', now),
      snoozedAt: null,
      snoozedUntil: null,
      snoozedBy: null,
      shelf: 'merged',
      shelvedAt: now,
      mergedInto: Number(into.id),
      messageCount: 0,
      updatedAt: now,
    });

    const record: MergeRecord = {
      messageIds,
      source: pick(source, RESTORED),
      target: { before: targetBefore, after: pick(after, DERIVED) },
      added: {
        tags: tags.filter((t) => !aTags.includes(t)),
        labels: labels.filter((l) => !aLabels.includes(l)),
        participants: participants.filter((p) => !aPeople.some((q) => q.email === p.email)).map((p) => p.email),
        followers: newFollowers.map((f) => f.userId),
      },
      snoozeTimer: timer && timer.firedAt === null ? { kind: timer.kind, dueAt: Number(timer.dueAt), payload: parseTimerPayload(timer.payload) } : null,
    };
    await insertMerge(tx, { sourceId: Number(source.id), targetId: Number(into.id), mergedBy: actor.id, mergedAt: now, record: JSON.stringify(record) });

    const [b, a] = [toConversation(tombstone), toConversation(after)];
    await recordEvents(unit, [eventBy(actor, b.id, now)('merged_into', null, { conversationId: a.id, number: a.number })], b);
    await recordEvents(unit, [eventBy(actor, a.id, now)('merged_from', null, { conversationId: b.id, number: b.number, messages: messageIds.length })], a);
    return { source: b, target: a };
  });
}

export function unmergeConversation(target: CommandTarget, input: { source: ConversationRef; by: Actor }): Promise<MergeResult> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const actor = await teamActor(unit, input.by, now);
    const found = await findConversation(tx, unit.ctx.store.dialect, resolveConversationRef(input.source));
    if (!found) throw notFound('conversation');
    const merge = found.shelf === 'merged' ? await findOpenMerge(tx, Number(found.id)) : undefined;
    if (!merge) throw new DomainError('conflict', `${numberOf(found)} is not merged into another conversation`, 'id');
    if (now - merge.mergedAt > UNMERGE_WINDOW_MS) {
      throw new DomainError(
        'conflict',
        `a merge can be undone for ${UNMERGE_DAYS} days; ${numberOf(found)} was merged on ${new Date(merge.mergedAt).toISOString().slice(0, 10)}`,
        'id',
      );
    }
    const [source, into] = await lockPair(unit, Number(found.id), merge.targetId);
    const record = parse<MergeRecord>(merge.record);

    const moved = await moveMessages(tx, record.messageIds, Number(into.id), Number(source.id));
    // Untouched since the merge: A's fields as they were before it, exactly. Otherwise
    // (A got messages since) they are computed from the messages A keeps.
    const derived: Derived = sameDerived(pick(into, DERIVED), record.target.after)
      ? record.target.before
      : deriveFromMessages(await listMessageFacts(tx, Number(into.id)), pick(into, DERIVED));
    const tags = parse<string[]>(into.tags).filter((t) => !record.added.tags.includes(t));
    const labels = parse<string[]>(into.labels).filter((l) => !record.added.labels.includes(l));
    const participants = parse<Participant[]>(into.participants).filter((p) => !record.added.participants.includes(p.email));
    const after = await writeConversation(unit, into, {
      ...derived,
      tags: JSON.stringify(tags),
      labels: JSON.stringify(labels),
      participants: JSON.stringify(participants),
      updatedAt: now,
    });
    await removeFollowers(tx, Number(into.id), record.added.followers);

    // B's row as it was, less what happened to its messages since (one deleted meanwhile is gone).
    const restoredSource =
      moved === record.messageIds.length
        ? record.source
        : { ...record.source, ...deriveFromMessages(await listMessageFacts(tx, Number(source.id)), pick(source, DERIVED)) };
    const back = await writeConversation(unit, source, { ...restoredSource, updatedAt: now });
    if (record.snoozeTimer && back.snoozedAt !== null) await unit.setTimer({ key: SNOOZE_TIMER(Number(source.id)), ...record.snoozeTimer });
    await markUnmerged(tx, merge.id, now);

    const [b, a] = [toConversation(back), toConversation(after)];
    await recordEvents(unit, [eventBy(actor, b.id, now)('unmerged', { conversationId: a.id, number: a.number }, null)], b);
    await recordEvents(unit, [eventBy(actor, a.id, now)('unmerged', { conversationId: b.id, number: b.number, messages: moved }, null)], a);
    return { source: b, target: a };
  });
}

function parseTimerPayload(payload: unknown): unknown {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
