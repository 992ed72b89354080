import { DomainError, invalid, notFound } from '../../errors.js';
import {
  customerAskedSince,
  findSurveyById,
  findSurveyForCycle,
  insertSurvey,
  latestResolvedEventId,
  lockCustomerSurveys,
  readCycleFacts,
  saveAnswer,
} from '../../store/csat.js';
import { enqueueJobs } from '../../store/outbox.js';
import type { ConversationRow } from '../../store/schema.js';
import type { CsatSentVia } from '../../store/schema-csat.js';
import { type Actor, resolveActor } from '../actors.js';
import { CSAT_MAIL_JOB, type CsatSettings, MAX_CSAT_COMMENT, newSurveyToken } from '../csat.js';
import { isTeam } from '../policies.js';
import { toConversation } from '../records.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand, type Unit } from './unit.js';

// The CSAT commands (issue 19): asking (the timer after a resolve, or an agent by hand)
// and answering (the link's page, the widget, the portal). Each writes the survey row and
// its event in one transaction; the mail job with the link's token is queued there too,
// as a secret payload the outbox drops once it is done.

/** Why no survey was sent: the timer's reason is gone, or the rules say no. */
export type SkipReason = 'disabled' | 'gone' | 'shelved' | 'not_resolved' | 'imported' | 'bot_only' | 'already_asked' | 'cooldown';
export type Requested = { sent: true; surveyId: number } | { sent: false; reason: SkipReason };

const CSAT_SYSTEM: Actor = { system: 'csat' };

const sentViaOf = (channel: ConversationRow['channel']): CsatSentVia => (channel === 'email' ? 'email' : channel === 'chatbot' ? 'widget' : 'portal');

/**
 * The timer's work: asks about the care cycle that `resolvedEventId` ended, if it is still
 * the conversation's current one and nothing rules it out. Safe to run twice (timers fire
 * at least once): the second finds the survey and does nothing.
 */
export function requestSurvey(target: CommandTarget, input: { conversationId: number; resolvedEventId: number; settings: CsatSettings }): Promise<Requested> {
  return runCommand(target, async (unit, now) => {
    const { settings } = input;
    if (!settings.enabled) return { sent: false, reason: 'disabled' };
    const row = await lockConversation(unit, input.conversationId).catch((error) => {
      if (error instanceof DomainError && error.code === 'not_found') return null;
      throw error;
    });
    if (!row) return { sent: false, reason: 'gone' };
    if (row.shelf) return { sent: false, reason: 'shelved' };
    const facts = await readCycleFacts(unit.tx, Number(row.id), input.resolvedEventId);
    // Reopened since (a "thanks!", a reply), or resolved again later (a later timer asks about
    // that cycle). Closed since is still the cycle that was resolved: its customer is asked.
    const ended = row.status === 'resolved' || row.status === 'closed';
    const reopened = facts.latestReopenedId !== null && facts.latestReopenedId > input.resolvedEventId;
    if (!ended || !facts.resolved || reopened || facts.latestResolvedId !== input.resolvedEventId) return { sent: false, reason: 'not_resolved' };
    if (facts.imported) return { sent: false, reason: 'imported' };
    if (!facts.teamReplied) return { sent: false, reason: 'bot_only' };
    if (await findSurveyForCycle(unit.tx, Number(row.id), input.resolvedEventId)) return { sent: false, reason: 'already_asked' };
    await lockCustomerSurveys(unit.tx, unit.ctx.store.dialect, Number(row.customerId));
    if (await customerAskedSince(unit.tx, Number(row.customerId), now - settings.cooldownMs)) return { sent: false, reason: 'cooldown' };
    const agentId = facts.resolved.performerRole === 'admin' || facts.resolved.performerRole === 'agent' ? facts.resolved.performedBy : null;
    const surveyId = await ask(unit, row, { resolvedEventId: input.resolvedEventId, agentId, sentVia: sentViaOf(row.channel), by: CSAT_SYSTEM, settings, now });
    return { sent: true, surveyId };
  });
}

/**
 * An agent asks now (issue 19, chatwoot #10149): about the conversation's last care cycle,
 * which must have ended (resolved or closed). No delay and no cooldown — someone decided —
 * but still once per cycle.
 */
export function requestSurveyNow(
  target: CommandTarget,
  input: { conversationId: number; by: { userId: number }; settings: CsatSettings },
): Promise<{ surveyId: number }> {
  return runCommand(target, async (unit, now) => {
    const { settings } = input;
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!isTeam(actor)) throw notFound('conversation');
    if (!settings.enabled) throw new DomainError('forbidden', 'customer satisfaction surveys are switched off (CSAT_ENABLED)');
    const row = await lockConversation(unit, input.conversationId);
    if (row.shelf) throw new DomainError('invalid_transition', `this conversation is ${row.shelf === 'spam' ? 'in Spam' : 'merged'}: no survey`);
    const resolvedEventId = row.status === 'resolved' || row.status === 'closed' ? await latestResolvedEventId(unit.tx, Number(row.id)) : null;
    if (resolvedEventId === null) throw new DomainError('invalid_transition', 'resolve the conversation first: a survey asks about a finished conversation');
    if (await findSurveyForCycle(unit.tx, Number(row.id), resolvedEventId))
      throw new DomainError('conflict', 'the customer was already asked about this conversation since it was last resolved');
    const surveyId = await ask(unit, row, { resolvedEventId, agentId: actor.id, sentVia: 'manual', by: input.by, settings, now });
    return { surveyId };
  });
}

type Asking = { resolvedEventId: number; agentId: number | null; sentVia: CsatSentVia; by: Actor; settings: CsatSettings; now: number };

async function ask(unit: Unit, row: ConversationRow, asking: Asking): Promise<number> {
  const { tx } = unit;
  const { now, settings } = asking;
  const actor = await resolveActor(tx, asking.by, now);
  const { token, tokenHash } = newSurveyToken();
  const survey = await insertSurvey(tx, {
    tokenHash,
    conversationId: Number(row.id),
    resolvedEventId: asking.resolvedEventId,
    customerId: Number(row.customerId),
    // The resolver; when the customer (or a machine) resolved it, the assignee.
    agentId: asking.agentId ?? (row.assignedTo === null ? null : Number(row.assignedTo)),
    teamId: row.teamId === null ? null : Number(row.teamId),
    channel: row.channel,
    sentVia: asking.sentVia,
    sentAt: now,
    expiresAt: now + settings.expiryMs,
    updatedAt: now,
  });
  const surveyId = Number(survey.id);
  const conversation = toConversation(row);
  await recordEvents(
    unit,
    [eventBy(actor, conversation.id, now)('csat_requested', null, { surveyId, sentVia: asking.sentVia, expiresAt: Number(survey.expiresAt) })],
    conversation,
  );
  // Email conversations get the link by mail; chats see the card in the widget, and every
  // channel's customer sees it in the portal (they need no token there: they are signed in).
  if (row.channel === 'email' && settings.mail) {
    await enqueueJobs(tx, [{ kind: CSAT_MAIL_JOB, payload: { surveyId, token }, idempotencyKey: `csat.mail:${surveyId}`, runAt: now, secret: true }], now);
  }
  return surveyId;
}

export type AnswerInput = { surveyId: number; rating: number; comment?: string | null };

/**
 * The customer's answer; a later one before the survey expires replaces it, keeping the
 * earlier in `history`. The caller has made sure the one answering is the survey's customer
 * (the link's token, the widget's visitor, the portal's session); the event says `customer`.
 */
export function answerSurvey(target: CommandTarget, input: AnswerInput): Promise<{ rating: number; comment: string | null; changed: boolean }> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
    return Promise.reject(invalid('rating', 'rating must be a whole number from 1 to 5'));
  const comment = input.comment?.trim() ? input.comment.trim() : null;
  if (comment && comment.length > MAX_CSAT_COMMENT) return Promise.reject(invalid('comment', `the comment must be at most ${MAX_CSAT_COMMENT} characters`));
  return runCommand(target, async (unit, now) => {
    const found = await findSurveyById(unit.tx, input.surveyId);
    if (!found) throw notFound('survey');
    // The conversation's lock orders two answers to one survey (and anything else written to it).
    const row = await lockConversation(unit, Number(found.conversationId));
    const survey = (await findSurveyById(unit.tx, input.surveyId))!;
    if (now >= Number(survey.expiresAt)) throw new DomainError('invalid_transition', 'this survey has expired');
    const actor = await resolveActor(unit.tx, { customerId: Number(survey.customerId) }, now);
    const history = JSON.parse(survey.history) as unknown[];
    if (survey.rating !== null) history.push({ rating: survey.rating, comment: survey.comment, at: survey.respondedAt });
    const saved = await saveAnswer(unit.tx, Number(survey.id), { rating: input.rating, comment, history: JSON.stringify(history), at: now });
    const conversation = toConversation(row);
    await recordEvents(
      unit,
      [eventBy(actor, conversation.id, now)('csat_received', survey.rating, { surveyId: Number(survey.id), rating: input.rating, comment })],
      conversation,
    );
    return { rating: input.rating, comment: saved.comment, changed: survey.rating !== null };
  });
}
