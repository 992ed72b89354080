import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_MACRO_NAME, MAX_PERSONAL_MACROS } from '../../limits.js';
import { findCannedReply } from '../../store/canned-replies.js';
import { countPersonalMacros, deleteMacroRow, findMacro, insertMacro, type StoredMacro, updateMacroRow } from '../../store/macros.js';
import { listUserTeams } from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { type Actor, resolveActor } from '../actors.js';
import { fillPlaceholders } from '../canned/placeholders.js';
import { addRemove, checkMacroActions, type MacroAction } from '../macros/actions.js';
import { canManageMacro, canUseCannedReply, canUseMacro, isTeam } from '../policies.js';
import { type Conversation, toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { singleLine } from '../rules.js';
import { cannedAttachments } from './canned-files.js';
import { assignConversation, labelConversation, setConversationPriority, updateConversation, updateConversationStatus } from './conversation.js';
import { addMessage } from './messages.js';
import { snoozeConversation } from './snooze.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand, type Unit } from './unit.js';

// Macros: a named list of actions an agent runs on a conversation. Everyone keeps personal
// ones; admins keep the team's shared ones. Running one is ONE unit of work in which each
// action is the existing command, by the agent who runs it: one action refused (a reply
// with a placeholder left, a deactivated assignee, a team gone) and none of them happened.

export type Macro = Omit<StoredMacro, 'actions'> & { actions: MacroAction[] };
export type MacroInput = { name?: string; actions?: unknown };

type Member = Awaited<ReturnType<typeof member>>;

async function member(tx: Tx, by: Actor, now: number) {
  const actor = await resolveActor(tx, by, now);
  if (!isTeam(actor) || actor.id === null) throw new DomainError('forbidden', 'macros are for the team');
  return { ...actor, id: actor.id };
}

export const toMacro = (stored: StoredMacro): Macro => ({ ...stored, actions: JSON.parse(stored.actions) as MacroAction[] });

function macroName(name: string): string {
  const clean = singleLine(name);
  if (!clean) throw invalid('name', 'a macro needs a name');
  if (clean.length > MAX_MACRO_NAME) throw invalid('name', `a macro's name is at most ${MAX_MACRO_NAME} characters`);
  return clean;
}

/**
 * The actions, checked, with every canned reply one uses: the maker's to use, and for a
 * shared macro itself shared, since a personal reply would fail for everyone else.
 */
async function macroActions(tx: Tx, who: Member, actions: unknown, shared: boolean): Promise<string> {
  const checked = checkMacroActions(actions);
  const teamIds = (await listUserTeams(tx, who.id)).map((t) => t.id);
  for (const action of checked) {
    if (action.type !== 'canned') continue;
    const reply = await findCannedReply(tx, action.cannedReplyId);
    if (!reply || !canUseCannedReply({ ...who, teamIds }, reply)) throw invalid('actions', `there is no canned reply ${action.cannedReplyId}`);
    if (shared && reply.ownerId !== null) throw invalid('actions', `a shared macro cannot use the personal canned reply "${reply.name}"`);
  }
  return JSON.stringify(checked);
}

export function createMacro(target: CommandTarget, input: { name: string; actions: unknown; shared: boolean; by: Actor }): Promise<Macro> {
  return runCommand(target, async ({ tx }, now) => {
    const who = await member(tx, input.by, now);
    const ownerId = input.shared ? null : who.id;
    if (!canManageMacro(who, { ownerId })) throw new DomainError('forbidden', 'only admins keep shared macros', 'shared');
    const fields = { name: macroName(input.name), actions: await macroActions(tx, who, input.actions, input.shared) };
    if (ownerId !== null && (await countPersonalMacros(tx, who.id, MAX_PERSONAL_MACROS)) >= MAX_PERSONAL_MACROS) {
      throw new DomainError('conflict', `you keep at most ${MAX_PERSONAL_MACROS} macros of your own`);
    }
    const id = await insertMacro(tx, { ...fields, ownerId, createdBy: who.id, now });
    return toMacro((await findMacro(tx, id))!);
  });
}

/** The macro, if this member may manage it; not_found otherwise, so another's personal macro is not revealed. */
async function manageable(tx: Tx, who: Member, id: number): Promise<StoredMacro> {
  const macro = await findMacro(tx, id);
  if (!macro || !canManageMacro(who, macro)) throw notFound('macro');
  return macro;
}

export function updateMacro(target: CommandTarget, input: MacroInput & { id: number; by: Actor }): Promise<Macro> {
  return runCommand(target, async ({ tx }, now) => {
    const who = await member(tx, input.by, now);
    const macro = await manageable(tx, who, input.id);
    await updateMacroRow(tx, macro.id, {
      name: input.name === undefined ? undefined : macroName(input.name),
      actions: input.actions === undefined ? undefined : await macroActions(tx, who, input.actions, macro.ownerId === null),
      now,
    });
    return toMacro((await findMacro(tx, macro.id))!);
  });
}

export function deleteMacro(target: CommandTarget, input: { id: number; by: Actor }): Promise<void> {
  return runCommand(target, async ({ tx }, now) => {
    const who = await member(tx, input.by, now);
    await deleteMacroRow(tx, (await manageable(tx, who, input.id)).id);
  });
}

/**
 * Runs the macro on one conversation, as `by`: every action and the `macro_applied` event
 * commit together or not at all. Another's personal macro is not found.
 */
export function applyMacro(target: CommandTarget, input: { macroId: number; conversation: ConversationRef; by: { userId: number } }): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const stored = await findMacro(unit.tx, input.macroId);
    if (!stored || !canUseMacro(who, stored)) throw notFound('macro');
    // Checked again: what was saved may no longer be allowed.
    const actions = checkMacroActions(JSON.parse(stored.actions));
    const { id } = toConversation(await lockConversation(unit, input.conversation));
    for (const action of actions) await runAction(unit, id, action, who);
    return recordMacroApplied(unit, { conversation: id, macro: { id: stored.id, name: stored.name, actions }, by: input.by });
  });
}

async function runAction(unit: Unit, conversation: number, action: MacroAction, who: Member): Promise<void> {
  const by = { userId: who.id };
  switch (action.type) {
    case 'reply':
    case 'note':
      await addMessage(unit, { conversation, from: by, body: action.body, isInternal: action.type === 'note' });
      return;
    case 'canned':
      // A reply still holding a placeholder is refused by addMessage, which fails the macro.
      await addMessage(unit, {
        conversation,
        from: by,
        body: await cannedBody(unit, conversation, action.cannedReplyId, who),
        isInternal: action.as === 'note',
        attachments: await cannedAttachments(unit, [action.cannedReplyId], by),
      });
      return;
    case 'status':
      await updateConversationStatus(unit, { conversation, status: action.status, by });
      return;
    case 'priority':
      await setConversationPriority(unit, { conversation, priority: action.priority, by });
      return;
    case 'team':
      await updateConversation(unit, { conversation, teamId: action.teamId, by });
      return;
    case 'assign':
      await assignConversation(unit, { conversation, assigneeId: action.assigneeId === 'me' ? who.id : action.assigneeId, by });
      return;
    case 'labels': {
      const row = await lockConversation(unit, conversation);
      await labelConversation(unit, { conversation, labels: addRemove(toConversation(row).labels, action), by });
      return;
    }
    case 'tags': {
      const row = await lockConversation(unit, conversation);
      await labelConversation(unit, { conversation, tags: addRemove(toConversation(row).tags, action), by });
      return;
    }
    case 'snooze':
      // A preset counts from when the macro runs; the agent's time zone is not known here, the calendar's is used.
      await snoozeConversation(unit, { conversation, until: 'preset' in action ? { preset: action.preset } : action.until, by });
      return;
  }
}

/** The canned reply's body filled for the conversation as it is now, by this agent; one they may not use is not found. */
async function cannedBody(unit: Unit, conversation: number, replyId: number, who: Member): Promise<string> {
  const reply = await findCannedReply(unit.tx, replyId);
  const teamIds = (await listUserTeams(unit.tx, who.id)).map((t) => t.id);
  if (!reply || !canUseCannedReply({ ...who, teamIds }, reply)) throw notFound('canned reply');
  const current = toConversation(await lockConversation(unit, conversation));
  return fillPlaceholders(reply.body, {
    customer: { name: current.customer.name, email: current.customer.email },
    conversation: { number: current.number, subject: current.subject },
    agent: { name: who.name },
  }).body;
}

/** The `macro_applied` event: which macro, and its actions' types in order (what each did has its own event). */
export function recordMacroApplied(
  target: CommandTarget,
  input: { conversation: ConversationRef; macro: { id: number; name: string; actions: readonly MacroAction[] }; by: Actor },
): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const conversation = toConversation(await lockConversation(unit, input.conversation));
    const actor = await resolveActor(unit.tx, input.by, now);
    const { macro } = input;
    const value = { macroId: macro.id, name: macro.name, actions: macro.actions.map((a) => a.type) };
    await recordEvents(unit, [eventBy(actor, conversation.id, now)('macro_applied', null, value)], conversation);
    return conversation;
  });
}

/**
 * Runs checked actions on one conversation in the caller's unit, as `by`, exactly as a macro
 * runs them but with no `macro_applied` event (bulk actions: the list of actions is the
 * job's, not a saved macro). One way to do each action: this is the macro's runner.
 */
export function runMacroActions(unit: Unit, input: { conversation: ConversationRef; actions: readonly MacroAction[]; by: { userId: number } }): Promise<void> {
  return runCommand(unit, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const { id } = toConversation(await lockConversation(unit, input.conversation));
    for (const action of input.actions) await runAction(unit, id, action, who);
  });
}
