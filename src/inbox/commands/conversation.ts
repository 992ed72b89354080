import { DomainError, invalid, notFound } from '../../errors.js';
import type { ConversationPatch, ConversationRow, ConversationType, Label, Priority, Status } from '../../store/schema.js';
import { CONVERSATION_TYPES, PRIORITIES } from '../../store/schema.js';
import { lockTeam } from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { findUserById } from '../../store/users.js';
import { type Actor, type ResolvedActor, requireTeam, resolveActor, resolveCustomer } from '../actors.js';
import { type Arrival, placeByRule, queueIfPlaced, ruleMayAct, scopeOf } from '../assignment/place.js';
import { canSetStatus } from '../policies.js';
import { type Conversation, toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { normalizeLabels, normalizeTags, requestedStatusChange, withBot, withoutBot } from '../rules.js';
import { followAs } from './followers.js';
import { SNOOZE_ENDED, snoozeTimerKey } from './snooze.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, refuseTombstone, runCommand, statusPatch, type Unit, writeConversation } from './unit.js';

// The commands that change a conversation itself: status, assignee, labels and tags,
// priority, type, its customer, and the bot handing it to the team.

/** `by`: who the event names when not the command's actor (an assignment rule's choice). */
type Decision = { patch: ConversationPatch; eventType: string; oldValue: unknown; newValue: unknown; by?: ResolvedActor };
/** Looks at the conversation as it is (earlier decisions of the same command applied) and says what changes, if anything. */
type Decide = (row: ConversationRow, actor: ResolvedActor, now: number, unit: Unit) => Promise<Decision | null>;

/**
 * Applies changes to one conversation on behalf of `by` in one transaction: the row is
 * written once, with one event per change that changed something. One refused change
 * refuses them all.
 */
function changeConversation(
  target: CommandTarget,
  ref: ConversationRef,
  by: Actor,
  decisions: readonly Decide[],
  receipt?: (tx: Tx, conversation: Conversation) => Promise<void>,
): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const conversation = await applyDecisions(unit, now, ref, by, decisions);
    await receipt?.(unit.tx, conversation);
    return conversation;
  });
}

async function applyDecisions(unit: Unit, now: number, ref: ConversationRef, by: Actor, decisions: readonly Decide[]): Promise<Conversation> {
  const { tx } = unit;
  const before = await lockConversation(unit, ref);
  refuseTombstone(before);
  // Spam is closed and counted on its shelf only: it changes by being restored first.
  if (before.shelf === 'spam') throw new DomainError('invalid_transition', 'this conversation is in Spam: restore it ("Not spam") first');
  const actor = await resolveActor(tx, by, now);
  let current = before;
  const made: Decision[] = [];
  for (const decide of decisions) {
    const decision = await decide(current, actor, now, unit);
    if (!decision) continue;
    made.push(decision);
    current = { ...current, ...decision.patch };
  }
  if (made.length === 0) return toConversation(before);
  const after = await writeConversation(unit, before, { ...Object.assign({}, ...made.map((d) => d.patch)), updatedAt: now });
  // Whoever is given the conversation follows it from then on.
  if (after.assignedTo !== null && after.assignedTo !== before.assignedTo) await followAs(unit, Number(after.id), [Number(after.assignedTo)], 'assigned', now);
  const conversation = toConversation(after);
  await recordEvents(
    unit,
    made.map((d) => eventBy(d.by ?? actor, conversation.id, now)(d.eventType, d.oldValue, d.newValue)),
    conversation,
  );
  return conversation;
}

const decideStatus =
  (status: Status): Decide =>
  async (row, actor, now, unit) => {
    // A customer may say their own question is answered ("Mark as resolved"), nothing else.
    if (actor.kind === 'customer' && Number(row.customerId) !== actor.id) throw notFound('conversation');
    if (!canSetStatus(actor, status)) throw new DomainError('forbidden', 'customers may only mark their conversation resolved');
    const change = requestedStatusChange(row.status, status);
    if (!change) return null;
    // A status set by hand on a snoozed conversation ends the snooze: someone has taken it up.
    if (row.snoozedAt !== null) {
      await unit.cancelTimer(snoozeTimerKey(Number(row.id)));
      return { patch: { ...statusPatch(row, change, now), ...SNOOZE_ENDED }, eventType: change.eventType, oldValue: change.from, newValue: change.to };
    }
    return { patch: statusPatch(row, change, now), eventType: change.eventType, oldValue: change.from, newValue: change.to };
  };

const decideAssignee =
  (assigneeId: number | null): Decide =>
  async (row, actor, _now, { tx }) => {
    requireTeam(actor, 'assign conversations');
    if (assigneeId !== null) {
      const assignee = await findUserById(tx, assigneeId);
      if (!assignee || assignee.role === 'customer') throw invalid('assignedTo', `user ${assigneeId} is not an agent`);
      // Unassigning a deactivated member stays possible (that is how their queue is handed on).
      if (assignee.deactivatedAt !== null && row.assignedTo !== assigneeId)
        throw invalid('assignedTo', `${assignee.name} is deactivated and cannot be assigned conversations`);
    }
    if (row.assignedTo === assigneeId) return null;
    return { patch: { assignedTo: assigneeId }, eventType: assigneeId === null ? 'unassigned' : 'assigned', oldValue: row.assignedTo, newValue: assigneeId };
  };

/** Replaces the labels and/or tags given; omitted ones stay as they are. */
const decideLabels =
  (labels: Label[] | undefined, tags: string[] | undefined): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'label conversations');
    const old = { labels: JSON.parse(row.labels) as Label[], tags: JSON.parse(row.tags) as string[] };
    const next = { labels: labels ? normalizeLabels(labels) : old.labels, tags: tags ? normalizeTags(tags) : old.tags };
    if (JSON.stringify(old) === JSON.stringify(next)) return null;
    return { patch: { labels: JSON.stringify(next.labels), tags: JSON.stringify(next.tags) }, eventType: 'labeled', oldValue: old, newValue: next };
  };

const decidePriority =
  (priority: Priority): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'change priority');
    if (!PRIORITIES.includes(priority)) throw invalid('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
    if (row.priority === priority) return null;
    return { patch: { priority }, eventType: 'priority_changed', oldValue: row.priority, newValue: priority };
  };

const decideType =
  (type: ConversationType): Decide =>
  async (row, actor) => {
    requireTeam(actor, 'change the type');
    if (!CONVERSATION_TYPES.includes(type)) throw invalid('type', `type must be one of ${CONVERSATION_TYPES.join(', ')}`);
    if (row.type === type) return null;
    return { patch: { type }, eventType: 'type_changed', oldValue: row.type, newValue: type };
  };

/** Which team it belongs to (null: none); a team being deleted meanwhile is waited for, then refused. */
const decideTeam =
  (teamId: number | null): Decide =>
  async (row, actor, _now, { tx, ctx }) => {
    requireTeam(actor, 'change the team');
    const team = teamId === null ? null : await lockTeam(tx, ctx.store.dialect, teamId, 'share');
    if (team === undefined) throw invalid('teamId', `team ${teamId} does not exist`);
    if ((row.teamId === null ? null : Number(row.teamId)) === teamId) return null;
    const old = row.teamId === null ? null : { id: Number(row.teamId), name: row.teamName };
    return { patch: { teamId }, eventType: 'team_changed', oldValue: old, newValue: team };
  };

/**
 * The last decision of a change through which a conversation arrives somewhere (the bot
 * hands it over, it moves to a team): the rule of where it now is may give it to someone,
 * or queue it. Only an unassigned, open conversation, and only when the actor is not a rule.
 */
const decideByRule =
  (arrival: Arrival, when: () => boolean): Decide =>
  async (row, actor, now, unit) => {
    if (!when() || row.assignedTo !== null || row.status !== 'open' || withBot(row) || !ruleMayAct(unit, actor.origin)) return null;
    const placement = await placeByRule(unit, scopeOf(row), arrival, now);
    await queueIfPlaced(unit, Number(row.id), placement, now);
    if (!placement || !('assignTo' in placement)) return null;
    return { patch: { assignedTo: placement.assignTo }, eventType: 'assigned', oldValue: null, newValue: placement.assignTo, by: placement.by };
  };

export type EscalationReason = 'asked' | 'keyword' | 'unsure';

/** The bot hands a chat to the team: out of the Bot view, `open` in the inbox, with an `escalated` event. Once only. */
export function escalateConversation(
  target: CommandTarget,
  input: { conversation: ConversationRef; reason: EscalationReason; by: Actor },
): Promise<Conversation> {
  let handedOver = false;
  const handOver: Decide = async (row) => {
    if (!withBot(row)) return null;
    handedOver = true;
    return {
      patch: { tags: JSON.stringify(withoutBot(row)) },
      eventType: 'escalated',
      oldValue: { handler: 'bot' },
      newValue: { handler: 'team', reason: input.reason },
    };
  };
  // The team's reopen rule, without the customer's "resolve only" limit: the visitor asked for a person.
  const open: Decide = async (row, _actor, now) => {
    const change = handedOver ? requestedStatusChange(row.status, 'open') : null;
    return change ? { patch: statusPatch(row, change, now), eventType: change.eventType, oldValue: change.from, newValue: change.to } : null;
  };
  return changeConversation(target, input.conversation, input.by, [handOver, open, decideByRule('handover', () => handedOver)]);
}

export function updateConversationStatus(target: CommandTarget, input: { conversation: ConversationRef; status: Status; by: Actor }): Promise<Conversation> {
  return changeConversation(target, input.conversation, input.by, [decideStatus(input.status)]);
}

export function assignConversation(
  target: CommandTarget,
  input: { conversation: ConversationRef; assigneeId: number | null; by: Actor },
): Promise<Conversation> {
  return changeConversation(target, input.conversation, input.by, [decideAssignee(input.assigneeId)]);
}

export function labelConversation(
  target: CommandTarget,
  input: { conversation: ConversationRef; labels?: Label[]; tags?: string[]; by: Actor },
): Promise<Conversation> {
  return changeConversation(target, input.conversation, input.by, [decideLabels(input.labels, input.tags)]);
}

export function setConversationPriority(target: CommandTarget, input: { conversation: ConversationRef; priority: Priority; by: Actor }): Promise<Conversation> {
  return changeConversation(target, input.conversation, input.by, [decidePriority(input.priority)]);
}

/**
 * The conversation is with someone else than first recorded: a chat visitor who wrote
 * before giving their address. Later mail (continuity) goes to the new customer. The
 * caller's receipt (the visitor's new identity) commits with it or not at all.
 */
export function changeConversationCustomer(
  target: CommandTarget,
  input: {
    conversation: ConversationRef;
    customer: { email: string; name?: string };
    by: Actor;
    receipt?: (tx: Tx, conversation: Conversation) => Promise<void>;
  },
): Promise<Conversation> {
  const decide: Decide = async (row, _actor, now, { tx }) => {
    const customer = await resolveCustomer(tx, input.customer, now);
    if (Number(row.customerId) === customer.id) return null;
    return {
      patch: { customerId: customer.id!, customerName: customer.name, customerEmail: customer.email! },
      eventType: 'customer_changed',
      oldValue: { id: Number(row.customerId), name: row.customerName, email: row.customerEmail },
      newValue: { id: customer.id, name: customer.name, email: customer.email },
    };
  };
  return changeConversation(target, input.conversation, input.by, [decide], input.receipt);
}

export function setConversationType(target: CommandTarget, input: { conversation: ConversationRef; type: ConversationType; by: Actor }): Promise<Conversation> {
  return changeConversation(target, input.conversation, input.by, [decideType(input.type)]);
}

export type ConversationChanges = {
  status?: Status;
  priority?: Priority;
  assigneeId?: number | null;
  labels?: Label[];
  tags?: string[];
  type?: ConversationType;
  /** A team's id, or null for none. */
  teamId?: number | null;
};

/**
 * Several changes at once (an API PATCH), all or nothing in one transaction. Status
 * comes last, so "assigned, then resolved" reads in that order in the audit trail.
 */
export function updateConversation(target: CommandTarget, input: ConversationChanges & { conversation: ConversationRef; by: Actor }): Promise<Conversation> {
  const decisions: Decide[] = [];
  if (input.type !== undefined) decisions.push(decideType(input.type));
  if (input.teamId !== undefined) decisions.push(decideTeam(input.teamId));
  if (input.priority !== undefined) decisions.push(decidePriority(input.priority));
  if (input.labels !== undefined || input.tags !== undefined) decisions.push(decideLabels(input.labels, input.tags));
  if (input.assigneeId !== undefined) decisions.push(decideAssignee(input.assigneeId));
  if (input.status !== undefined) decisions.push(decideStatus(input.status));
  // Moved into a team unassigned and open: the team's rule takes it as it takes a new one.
  if (input.teamId && input.assigneeId === undefined) decisions.push(decideByRule('new', () => true));
  return changeConversation(target, input.conversation, input.by, decisions);
}
