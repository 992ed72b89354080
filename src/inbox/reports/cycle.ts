import { businessDuration, type Calendar } from '../../calendar/index.js';
import type { NewFact } from '../../store/report-facts.js';
import type { InboxEvent } from '../records.js';
import type { Metric } from './metrics.js';

// The care cycle, event by event (issue 19 "Definitions"; docs/reports.md). One pure step
// function serves the commands (inbox/reports/facts.ts, one batch of events at a time, the
// state kept in report_cycles) and `reports rebuild` (a conversation's whole history), so
// the two cannot disagree.
//
// - A cycle starts at creation, a reopen, or the bot handing a chat to a person while no
//   person of the team has answered yet in it.
// - First response: cycle start → the cycle's first public reply by a person of the team
//   (not a note, not the bot, not an automation, not an acknowledgement: none of those is a
//   `replied` event of a team member).
// - Reply time: the first customer message since the team's last public reply → the team's
//   next public reply; one per waiting period, the first one included.
// - Resolution: cycle start → resolved (or closed without being resolved first); attributed
//   to who resolved it when that is a person of the team, else to the assignee.
// - Handled: an agent's first public reply in a cycle (the per-agent table's "conversations
//   handled": care cycles they answered in, additive over any period, unlike a count of
//   distinct conversations).

export type CycleState = {
  cycle: number;
  startedAt: number;
  respondedAt: number | null;
  waitingSince: number | null;
  /** The people of the team who replied publicly in this cycle. */
  repliers: number[];
};

/** What a fact is counted under: the conversation's attributes when it happened. */
export type FactAttributes = { channel: string; type: string; priority: string; teamId: number | null; assignedTo: number | null };

export type FactEvent = Pick<InboxEvent, 'eventType' | 'performedBy' | 'origin' | 'oldValue' | 'newValue' | 'createdAt'>;

const objectOf = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const idOf = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  const id = objectOf(v).id;
  return typeof id === 'number' ? id : null;
};

/** A public message by a person of the team: a user wrote it (no bot, automation or import on their behalf). */
function teamReply(event: FactEvent): boolean {
  const value = objectOf(event.newValue);
  return value.senderType === 'admin' && event.performedBy !== null && (event.origin === 'user' || event.origin === 'import');
}

function customerMessage(event: FactEvent): boolean {
  const value = objectOf(event.newValue);
  return value.senderType === 'customer' && !value.auto;
}

/** The attribute an event changes, if any: replay follows them so each fact has the values of its moment. */
export function applyAttributeChange(attrs: FactAttributes, event: FactEvent, direction: 'forward' | 'back'): FactAttributes {
  const value = direction === 'forward' ? event.newValue : event.oldValue;
  switch (event.eventType) {
    case 'team_changed':
      return { ...attrs, teamId: idOf(value) };
    case 'priority_changed':
      return typeof value === 'string' ? { ...attrs, priority: value } : attrs;
    case 'type_changed':
      return typeof value === 'string' ? { ...attrs, type: value } : attrs;
    case 'assigned':
    case 'unassigned':
      return { ...attrs, assignedTo: idOf(value) };
    default:
      return attrs;
  }
}

export type StepResult = { state: CycleState | null; attrs: FactAttributes; facts: NewFact[] };

/**
 * One event's facts and the cycle state after it. `state` is null before the conversation's
 * `created` event has been seen (a rebuild starts there; the commands always have a row).
 */
export function step(state: CycleState | null, attrs: FactAttributes, event: FactEvent, context: { conversationId: number; calendar: Calendar }): StepResult {
  const at = event.createdAt;
  const facts: NewFact[] = [];
  const fact = (metric: Metric, agentId: number | null, since?: number, messageId?: number | null) => {
    const seconds = since === undefined ? null : Math.max(0, Math.round((at - since) / 1000));
    const businessSeconds = since === undefined ? null : Math.max(0, Math.round(businessDuration(context.calendar, since, at) / 1000));
    facts.push({
      conversationId: context.conversationId,
      originConversationId: context.conversationId,
      cycle: next?.cycle ?? 1,
      metric,
      at,
      agentId,
      teamId: attrs.teamId,
      channel: attrs.channel,
      type: attrs.type,
      priority: attrs.priority,
      seconds,
      businessSeconds,
      messageId: messageId ?? null,
    });
  };
  const value = objectOf(event.newValue);
  const messageId = typeof value.messageId === 'number' ? value.messageId : null;
  let next = state ? { ...state, repliers: [...state.repliers] } : null;
  const handledBy = (cycle: CycleState, agentId: number) => {
    if (cycle.repliers.includes(agentId)) return;
    cycle.repliers.push(agentId);
    fact('handled', agentId, undefined, messageId);
  };

  switch (event.eventType) {
    case 'created': {
      next = { cycle: 1, startedAt: at, respondedAt: null, waitingSince: null, repliers: [] };
      fact('created', null);
      if (customerMessage(event)) {
        next.waitingSince = at;
        fact('message_in', null, undefined, messageId);
      } else if (teamReply(event)) {
        // The team wrote first: nothing to respond to until the customer answers.
        next.respondedAt = at;
        fact('message_out', event.performedBy, undefined, messageId);
        handledBy(next, event.performedBy!);
      }
      break;
    }
    case 'replied': {
      if (!next) break;
      if (customerMessage(event)) {
        next.waitingSince ??= at;
        fact('message_in', null, undefined, messageId);
      } else if (teamReply(event)) {
        fact('message_out', event.performedBy, undefined, messageId);
        handledBy(next, event.performedBy!);
        if (next.respondedAt === null) {
          fact('first_response', event.performedBy, next.startedAt, messageId);
          next.respondedAt = at;
        }
        if (next.waitingSince !== null) {
          fact('reply_time', event.performedBy, next.waitingSince, messageId);
          next.waitingSince = null;
        }
      }
      break;
    }
    case 'note_added':
      if (next && event.performedBy !== null) fact('note', event.performedBy, undefined, messageId);
      break;
    case 'escalated': {
      if (!next) break;
      fact('bot_handover', null);
      // The bot handing over before anyone of the team answered starts the team's cycle: its
      // first response is measured from here, not from when the bot took the chat.
      if (next.respondedAt === null) {
        next = { cycle: next.cycle + 1, startedAt: at, respondedAt: null, waitingSince: next.waitingSince === null ? null : at, repliers: [] };
      }
      break;
    }
    case 'reopened':
      if (!next) break;
      next = { cycle: next.cycle + 1, startedAt: at, respondedAt: null, waitingSince: next.waitingSince, repliers: [] };
      fact('reopened', null);
      break;
    case 'resolved':
    case 'closed': {
      // Closing what was resolved ends nothing more.
      if (!next || (event.eventType === 'closed' && event.oldValue === 'resolved')) break;
      const resolver = event.origin === 'user' && event.performedBy !== null ? event.performedBy : attrs.assignedTo;
      fact('resolved', resolver, next.startedAt);
      if (next.respondedAt === null && attrs.channel === 'chatbot') fact('bot_resolved', null);
      next.waitingSince = null;
      break;
    }
  }
  return { state: next, attrs: applyAttributeChange(attrs, event, 'forward'), facts };
}
