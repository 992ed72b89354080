import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_PERSONAL_VIEWS, MAX_VIEW_FILTER, MAX_VIEW_NAME } from '../../limits.js';
import { listUserTeams, lockTeam } from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { countPersonalViews, deleteViewRow, findView, insertView, type SavedView, updateViewRow } from '../../store/views.js';
import { type Actor, resolveActor } from '../actors.js';
import { canEditView, isTeam } from '../policies.js';
import { singleLine } from '../rules.js';
import { type CommandTarget, runCommand, type Unit } from './unit.js';

// Saved views: a team member saves the list's filter under a name, for themselves or shared
// with a team they are in (admins: any team). The filter arrives checked against the list's
// own query schema (http/routes/views.ts); here it is only bounded in size.

export type { SavedView };
/** The list's query parameters, as the URL spells them. */
export type ViewFilter = Record<string, string>;
export type ViewInput = { name?: string; filter?: ViewFilter; teamId?: number | null };

/** The acting team member, with the teams they are in. */
async function member(tx: Tx, by: Actor, now: number) {
  const actor = await resolveActor(tx, by, now);
  if (!isTeam(actor) || actor.id === null) throw new DomainError('forbidden', 'saved views are for the team');
  const teamIds = (await listUserTeams(tx, actor.id)).map((t) => t.id);
  return { ...actor, teamIds };
}

function viewName(name: string): string {
  const clean = singleLine(name);
  if (!clean) throw invalid('name', 'a view needs a name');
  if (clean.length > MAX_VIEW_NAME) throw invalid('name', `a view's name is at most ${MAX_VIEW_NAME} characters`);
  return clean;
}

function viewFilter(filter: ViewFilter): ViewFilter {
  if (JSON.stringify(filter).length > MAX_VIEW_FILTER) throw invalid('filter', `a view's filter is at most ${MAX_VIEW_FILTER} characters`);
  return filter;
}

/** A team to share with: one that exists (held until commit), and the actor's to share with. */
async function shareWith(unit: Unit, who: Awaited<ReturnType<typeof member>>, teamId: number): Promise<void> {
  if (!(await lockTeam(unit.tx, unit.ctx.store.dialect, teamId, 'share'))) throw invalid('teamId', `there is no team ${teamId}`);
  if (!canEditView(who, { ownerId: who.id!, teamId })) throw new DomainError('forbidden', 'you share views with your own teams only', 'teamId');
}

export function createView(target: CommandTarget, input: ViewInput & { name: string; filter: ViewFilter; by: Actor }): Promise<SavedView> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const name = viewName(input.name);
    const filter = viewFilter(input.filter);
    const teamId = input.teamId ?? null;
    if (teamId !== null) await shareWith(unit, who, teamId);
    else if ((await countPersonalViews(unit.tx, who.id!, MAX_PERSONAL_VIEWS)) >= MAX_PERSONAL_VIEWS) {
      throw new DomainError('conflict', `you keep at most ${MAX_PERSONAL_VIEWS} views of your own`);
    }
    const id = await insertView(unit.tx, { name, filter, ownerId: who.id!, teamId, now });
    return (await findView(unit.tx, id))!;
  });
}

/** The view, if this member may edit it; otherwise not_found when they may not even see it. */
async function editable(tx: Tx, who: Awaited<ReturnType<typeof member>>, id: number): Promise<SavedView> {
  const view = await findView(tx, id);
  if (!view || !canEditView(who, view)) throw notFound('view');
  return view;
}

/**
 * Changes what is given. Unsharing (`teamId: null`) makes the view the editor's own;
 * sharing moves it to a team the editor is in.
 */
export function updateView(target: CommandTarget, input: ViewInput & { id: number; by: Actor }): Promise<SavedView> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const view = await editable(unit.tx, who, input.id);
    const name = input.name === undefined ? undefined : viewName(input.name);
    const filter = input.filter === undefined ? undefined : viewFilter(input.filter);
    const moves = input.teamId !== undefined && input.teamId !== view.teamId;
    if (moves && input.teamId != null) await shareWith(unit, who, input.teamId);
    await updateViewRow(unit.tx, view.id, {
      name,
      filter,
      ...(moves ? { teamId: input.teamId, ownerId: input.teamId === null ? who.id! : view.ownerId } : {}),
      now,
    });
    return (await findView(unit.tx, view.id))!;
  });
}

export function deleteView(target: CommandTarget, input: { id: number; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const view = await editable(unit.tx, who, input.id);
    await deleteViewRow(unit.tx, view.id);
  });
}
