import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_CANNED_BODY, MAX_CANNED_NAME, MAX_CANNED_SHORTCUT, MAX_PERSONAL_CANNED_REPLIES } from '../../limits.js';
import { deleteCannedFilesOf } from '../../store/canned-files.js';
import {
  type CannedReply,
  countPersonalCannedReplies,
  deleteCannedReplyRow,
  findCannedReply,
  insertCannedReply,
  updateCannedReplyRow,
} from '../../store/canned-replies.js';
import { listUserTeams, lockTeam } from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { type Actor, resolveActor } from '../actors.js';
import { canManageCannedReply, isTeam } from '../policies.js';
import { singleLine, storableText } from '../rules.js';
import { type CommandTarget, runCommand, type Unit } from './unit.js';

// Canned replies: everyone keeps personal ones; admins keep the shared ones, for the whole
// team or one team. Whether a reply is personal or shared is set when it is made: sharing a
// personal reply is copying it, as an admin.

export type { CannedReply };
export type CannedReplyInput = { name?: string; shortcut?: string; body?: string };
/** Whose it is: `shared` false is the maker's own; true is the whole team's (`teamId` null) or one team's. */
export type CannedSharing = { shared: boolean; teamId?: number | null };

export type Member = Awaited<ReturnType<typeof member>>;

export async function member(tx: Tx, by: Actor, now: number) {
  const actor = await resolveActor(tx, by, now);
  if (!isTeam(actor) || actor.id === null) throw new DomainError('forbidden', 'canned replies are for the team');
  const teamIds = (await listUserTeams(tx, actor.id)).map((t) => t.id);
  return { ...actor, id: actor.id, teamIds };
}

function replyName(name: string): string {
  const clean = singleLine(name);
  if (!clean) throw invalid('name', 'a canned reply needs a name');
  if (clean.length > MAX_CANNED_NAME) throw invalid('name', `a canned reply's name is at most ${MAX_CANNED_NAME} characters`);
  return clean;
}

/** One word typed after `/` in the composer: letters, digits, `_`, `-`, `.`; kept lowercase. */
function replyShortcut(shortcut: string): string {
  const clean = shortcut.trim().replace(/^\//, '').toLowerCase();
  if (!clean) throw invalid('shortcut', 'a canned reply needs a shortcut');
  if (clean.length > MAX_CANNED_SHORTCUT) throw invalid('shortcut', `a shortcut is at most ${MAX_CANNED_SHORTCUT} characters`);
  if (!/^[\p{L}\p{N}_.-]+$/u.test(clean)) throw invalid('shortcut', 'a shortcut is one word: letters, digits, _, - and .');
  return clean;
}

function replyBody(body: string): string {
  const clean = storableText(body).trim();
  if (!clean) throw invalid('body', 'a canned reply needs a body');
  if (clean.length > MAX_CANNED_BODY) throw new DomainError('too_large', `a canned reply's body is at most ${MAX_CANNED_BODY} characters`, 'body');
  return clean;
}

/** A team to share with: one that exists, held until commit. */
async function existingTeam(unit: Unit, teamId: number): Promise<void> {
  if (!(await lockTeam(unit.tx, unit.ctx.store.dialect, teamId, 'share'))) throw invalid('teamId', `there is no team ${teamId}`);
}

export function createCannedReply(target: CommandTarget, input: Required<CannedReplyInput> & CannedSharing & { by: Actor }): Promise<CannedReply> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const fields = { name: replyName(input.name), shortcut: replyShortcut(input.shortcut), body: replyBody(input.body) };
    const ownerId = input.shared ? null : who.id;
    const teamId = input.shared ? (input.teamId ?? null) : null;
    if (!input.shared && input.teamId != null) throw invalid('teamId', 'a personal reply is shared with no team');
    if (!canManageCannedReply(who, { ownerId, teamId })) throw new DomainError('forbidden', 'only admins keep shared canned replies', 'shared');
    if (teamId !== null) await existingTeam(unit, teamId);
    if (ownerId !== null && (await countPersonalCannedReplies(unit.tx, who.id, MAX_PERSONAL_CANNED_REPLIES)) >= MAX_PERSONAL_CANNED_REPLIES) {
      throw new DomainError('conflict', `you keep at most ${MAX_PERSONAL_CANNED_REPLIES} canned replies of your own`);
    }
    const id = await insertCannedReply(unit.tx, { ...fields, ownerId, teamId, createdBy: who.id, now });
    return (await findCannedReply(unit.tx, id))!;
  });
}

/** The reply, if this member may manage it; not_found otherwise, so another's personal reply is not revealed. */
export async function manageable(tx: Tx, who: Member, id: number): Promise<CannedReply> {
  const reply = await findCannedReply(tx, id);
  if (!reply || !canManageCannedReply(who, reply)) throw notFound('canned reply');
  return reply;
}

/** Changes what is given; `teamId` moves a shared reply to another team (null: the whole team). */
export function updateCannedReply(target: CommandTarget, input: CannedReplyInput & { teamId?: number | null; id: number; by: Actor }): Promise<CannedReply> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const reply = await manageable(unit.tx, who, input.id);
    if (input.teamId !== undefined && reply.ownerId !== null) throw invalid('teamId', 'a personal reply is shared with no team');
    if (input.teamId != null && input.teamId !== reply.teamId) await existingTeam(unit, input.teamId);
    await updateCannedReplyRow(unit.tx, reply.id, {
      name: input.name === undefined ? undefined : replyName(input.name),
      shortcut: input.shortcut === undefined ? undefined : replyShortcut(input.shortcut),
      body: input.body === undefined ? undefined : replyBody(input.body),
      teamId: input.teamId,
      now,
    });
    return (await findCannedReply(unit.tx, reply.id))!;
  });
}

export function deleteCannedReply(target: CommandTarget, input: { id: number; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const reply = await manageable(unit.tx, who, input.id);
    await deleteCannedFilesOf(unit.tx, reply.id);
    await deleteCannedReplyRow(unit.tx, reply.id);
  });
}
