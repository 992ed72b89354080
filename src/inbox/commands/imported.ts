import { invalid } from '../../errors.js';
import { insertSurvey, latestResolvedEventId, saveAnswer } from '../../store/csat.js';
import { findOrInsertTeam, setConversationCustomFields, setCustomerCompany } from '../../store/import-extras.js';
import { resolveActor } from '../actors.js';
import { MAX_CSAT_COMMENT, newSurveyToken } from '../csat.js';
import { toConversation } from '../records.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand } from './unit.js';

// What an import keeps beyond messages (issue 20; import/extras.ts calls these in the
// conversation's unit, origin import): the old system's custom fields and the customer's
// company, the team a group there becomes, and a satisfaction rating collected there.

/** Custom fields on the conversation; the company on its customer (who keeps an earlier one). */
export function keepImportedDetails(
  target: CommandTarget,
  input: { conversationId: number; customFields?: Record<string, unknown>; company?: string },
): Promise<void> {
  return runCommand(target, async (unit) => {
    if (input.customFields && Object.keys(input.customFields).length > 0) await setConversationCustomFields(unit.tx, input.conversationId, input.customFields);
    if (input.company) await setCustomerCompany(unit.tx, input.conversationId, input.company);
  });
}

/** The team of this name, made without members if there is none: an old system's group. */
export function importedTeam(target: CommandTarget, name: string): Promise<number> {
  return runCommand(target, (unit, now) => findOrInsertTeam(unit.tx, name, now));
}

// The rating: the survey row as if answered then, `sentVia: import`, with its `csat_received` event by the customer. Nothing
// is mailed (no token leaves: the row's link is a random one nobody holds), and, written
// with origin `import`, nobody is told of it.

export function recordImportedRating(
  target: CommandTarget,
  input: { conversationId: number; rating: number; comment: string | null; at: number },
): Promise<{ surveyId: number }> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)
    return Promise.reject(invalid('rating', 'rating must be a whole number from 1 to 5'));
  const comment = input.comment?.trim() ? input.comment.trim().slice(0, MAX_CSAT_COMMENT) : null;
  return runCommand(target, async (unit) => {
    const row = await lockConversation(unit, input.conversationId);
    const { tokenHash } = newSurveyToken();
    const survey = await insertSurvey(unit.tx, {
      tokenHash,
      conversationId: Number(row.id),
      // The cycle it rated: the imported conversation's last resolve, if it has one.
      resolvedEventId: (await latestResolvedEventId(unit.tx, Number(row.id))) ?? 0,
      customerId: Number(row.customerId),
      agentId: row.assignedTo === null ? null : Number(row.assignedTo),
      teamId: row.teamId === null ? null : Number(row.teamId),
      channel: row.channel,
      sentVia: 'import',
      sentAt: input.at,
      expiresAt: input.at,
      updatedAt: input.at,
    });
    const surveyId = Number(survey.id);
    await saveAnswer(unit.tx, surveyId, { rating: input.rating, comment, history: '[]', at: input.at });
    const actor = await resolveActor(unit.tx, { customerId: Number(row.customerId) }, input.at);
    await recordEvents(
      unit,
      [eventBy(actor, Number(row.id), input.at)('csat_received', null, { surveyId, rating: input.rating, comment })],
      toConversation(row),
    );
    return { surveyId };
  });
}
