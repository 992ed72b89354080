import { DomainError, invalid } from '../../errors.js';
import { MAX_MENTIONS } from '../../limits.js';
import type { NewEvent } from '../../store/events.js';
import { addFollowers, findActiveTeamMembers, insertMentions, listActiveTeamMembers, removeFollower } from '../../store/followers.js';
import type { ConversationRow, FollowReason } from '../../store/schema.js';
import { type Actor, type ResolvedActor, resolveActor } from '../actors.js';
import { findMentionedIds } from '../mentions.js';
import { isTeam } from '../policies.js';
import type { ConversationRef } from '../refs.js';
import { type CommandTarget, eventBy, lockConversation, runCommand, type Unit } from './unit.js';

// Team participants ("followers", not the Cc'd mail participants) and mentions. A team member
// becomes a follower by following, replying (public or note), being mentioned or assigned;
// always in the transaction of the command that made them one. Notifications to followers
// come later (issue 16 records who they are).

/** Makes a team member who wrote a message a follower (nobody else: not a customer, not the bot). */
export async function followAsAuthor(unit: Unit, conversationId: number, sender: ResolvedActor, now: number): Promise<void> {
  const id = sender.id;
  if (id !== null && isTeam(sender))
    await unit.remembered(`follows:${conversationId}:${id}`, () => addFollowers(unit.tx, conversationId, [id], 'replied', now));
}

export async function followAs(unit: Unit, conversationId: number, userIds: readonly number[], reason: FollowReason, now: number): Promise<void> {
  await addFollowers(unit.tx, conversationId, userIds, reason, now);
}

/** The explicit mentions are checked before anything is written: an id that is not an active team member is refused. */
export function checkMentionIds(ids: readonly number[] | undefined, isInternal: boolean): void {
  if (ids === undefined) return;
  if (!isInternal) throw invalid('mentions', 'only an internal note mentions team members');
  if (ids.length > MAX_MENTIONS) throw invalid('mentions', `a note mentions at most ${MAX_MENTIONS} team members`);
}

/**
 * Records a note's mentions: the ids the composer sent plus every `@Name` of an active team
 * member in its text, less the author. The team sees every conversation (policies canView),
 * so an active team member is who may be mentioned. Returns the `mentioned` event, if any.
 */
export async function recordMentions(
  unit: Unit,
  input: { conversation: ConversationRow; messageId: number; body: string; explicit?: readonly number[]; author: ResolvedActor; now: number },
): Promise<NewEvent | null> {
  const { tx } = unit;
  const explicit = [...new Set(input.explicit ?? [])];
  const allowed = await findActiveTeamMembers(tx, explicit);
  const stranger = explicit.find((id) => !allowed.some((m) => m.id === id));
  if (stranger !== undefined) throw invalid('mentions', `user ${stranger} is not an active team member`);
  const named = input.body.includes('@') ? findMentionedIds(input.body, await listActiveTeamMembers(tx)) : [];
  const ids = [...new Set([...explicit, ...named])].filter((id) => id !== input.author.id).slice(0, MAX_MENTIONS);
  if (ids.length === 0) return null;
  const conversationId = Number(input.conversation.id);
  await insertMentions(tx, input.messageId, conversationId, ids, input.now);
  await addFollowers(tx, conversationId, ids, 'mentioned', input.now);
  return eventBy(input.author, conversationId, input.now)('mentioned', null, { messageId: input.messageId, userIds: ids });
}

/** Following (`follow: true`) or no longer following a conversation: a team member, for themselves. */
export function setFollowing(target: CommandTarget, input: { conversation: ConversationRef; by: Actor; follow: boolean }): Promise<{ following: boolean }> {
  return runCommand(target, async (unit, now) => {
    const row = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(unit.tx, input.by, now);
    if (actor.id === null || !isTeam(actor)) throw new DomainError('forbidden', 'only team members follow conversations');
    if (input.follow) await addFollowers(unit.tx, Number(row.id), [actor.id], 'followed', now);
    else await removeFollower(unit.tx, Number(row.id), actor.id);
    return { following: input.follow };
  });
}
