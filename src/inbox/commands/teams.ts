import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_TEAM_DESCRIPTION, MAX_TEAM_MEMBERS, MAX_TEAM_NAME } from '../../limits.js';
import { deleteTeamAssignment, setTeamChannels } from '../../store/assignment.js';
import { CHANNELS, type Channel } from '../../store/schema.js';
import {
  deleteTeamRow,
  findAgentIds,
  findTeam,
  findTeamConversationIds,
  findTeamIdByName,
  insertTeam,
  lockTeam,
  setTeamMembers,
  type TeamWithMembers,
  updateTeamRow,
} from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { type Actor, resolveActor } from '../actors.js';
import { requestDrain } from '../assignment/request.js';
import { canManageTeams } from '../policies.js';
import { singleLine, storableText } from '../rules.js';
import { updateConversation } from './conversation.js';
import { type CommandTarget, runCommand } from './unit.js';

// Teams: admins create, rename, staff and delete them. Deleting a team takes its
// conversations out of it through the conversation command, one `team_changed` event and
// counter move each, in the same transaction as the team's row.

export type Team = TeamWithMembers;

/** `channels`: whose new conversations go to the team; a channel another team had moves here. */
export type TeamInput = { name?: string; description?: string; memberIds?: number[]; channels?: Channel[] };

async function requireManager(tx: Tx, by: Actor, now: number) {
  const actor = await resolveActor(tx, by, now);
  if (!canManageTeams(actor)) throw new DomainError('forbidden', 'only admins manage teams');
  return actor;
}

function teamName(name: string): string {
  const clean = singleLine(name);
  if (!clean) throw invalid('name', 'a team needs a name');
  if (clean.length > MAX_TEAM_NAME) throw invalid('name', `a team's name is at most ${MAX_TEAM_NAME} characters`);
  return clean;
}

function teamDescription(description: string): string {
  const clean = storableText(description).trim();
  if (clean.length > MAX_TEAM_DESCRIPTION) throw invalid('description', `a team's description is at most ${MAX_TEAM_DESCRIPTION} characters`);
  return clean;
}

async function checkedMembers(tx: Tx, memberIds: readonly number[]): Promise<number[]> {
  const ids = [...new Set(memberIds)];
  if (ids.length > MAX_TEAM_MEMBERS) throw invalid('memberIds', `a team has at most ${MAX_TEAM_MEMBERS} members`);
  const agents = await findAgentIds(tx, ids);
  const outsider = ids.find((id) => !agents.has(id));
  if (outsider !== undefined) throw invalid('memberIds', `user ${outsider} is not a team member`);
  return ids;
}

function checkedChannels(channels: readonly Channel[]): Channel[] {
  const unknown = channels.find((c) => !CHANNELS.includes(c));
  if (unknown !== undefined) throw invalid('channels', `channels are ${CHANNELS.join(', ')}`);
  return [...new Set(channels)];
}

async function uniqueName(tx: Tx, name: string, self?: number): Promise<void> {
  const existing = await findTeamIdByName(tx, name);
  if (existing !== undefined && existing !== self) throw new DomainError('conflict', `a team named "${name}" exists`, 'name');
}

export function createTeam(target: CommandTarget, input: TeamInput & { name: string; by: Actor }): Promise<Team> {
  return runCommand(target, async ({ tx }, now) => {
    await requireManager(tx, input.by, now);
    const name = teamName(input.name);
    await uniqueName(tx, name);
    const id = await insertTeam(tx, { name, description: teamDescription(input.description ?? ''), now });
    await setTeamMembers(tx, id, await checkedMembers(tx, input.memberIds ?? []));
    if (input.channels) await setTeamChannels(tx, id, checkedChannels(input.channels));
    return (await findTeam(tx, id))!;
  });
}

/** Changes what is given: the name, the description, the members (the whole list). */
export function updateTeam(target: CommandTarget, input: TeamInput & { id: number; by: Actor }): Promise<Team> {
  return runCommand(target, async ({ tx, ctx }, now) => {
    await requireManager(tx, input.by, now);
    if (!(await lockTeam(tx, ctx.store.dialect, input.id, 'update'))) throw notFound('team');
    const name = input.name === undefined ? undefined : teamName(input.name);
    if (name !== undefined) await uniqueName(tx, name, input.id);
    const description = input.description === undefined ? undefined : teamDescription(input.description);
    await updateTeamRow(tx, input.id, { name, description, now });
    if (input.memberIds !== undefined) {
      await setTeamMembers(tx, input.id, await checkedMembers(tx, input.memberIds));
      // A new member may take what waits in the team's queue.
      await requestDrain(tx, now);
    }
    if (input.channels !== undefined) await setTeamChannels(tx, input.id, checkedChannels(input.channels));
    return (await findTeam(tx, input.id))!;
  });
}

/** Deletes the team; its conversations stay, without a team. */
export function deleteTeam(target: CommandTarget, input: { id: number; by: Actor }): Promise<{ conversations: number }> {
  return runCommand(target, async (unit, now) => {
    await requireManager(unit.tx, input.by, now);
    if (!(await lockTeam(unit.tx, unit.ctx.store.dialect, input.id, 'update'))) throw notFound('team');
    const ids = await findTeamConversationIds(unit.tx, input.id);
    for (const id of ids) await updateConversation(unit, { conversation: id, teamId: null, by: input.by });
    await deleteTeamAssignment(unit.tx, input.id);
    await deleteTeamRow(unit.tx, input.id);
    return { conversations: ids.length };
  });
}
