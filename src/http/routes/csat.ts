import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, notFound } from '../../errors.js';
import { answerSurvey, requestSurveyNow } from '../../inbox/commands/csat.js';
import type { InboxContext } from '../../inbox/context.js';
import { type CsatSettings, currentSurvey, listCsatSurveys, MAX_CSAT_COMMENT, surveyByToken, surveyView } from '../../inbox/csat.js';
import { canAnswerSurvey, canRequestSurvey, canSeeSurveys, canView } from '../../inbox/policies.js';
import { getConversation } from '../../inbox/queries.js';
import { formatConversationNumber } from '../../inbox/records.js';
import { requireUser } from '../auth.js';
import { expiredPage, sendPage, surveyPage, thanksPage, tooManyPage, unknownPage } from '../csat-page.js';
import { errorBody } from '../errors.js';
import { SlidingWindowLimiter } from '../rate-limiter.js';
import { defineRoutes } from '../routing.js';

// Customer satisfaction (issue 19): the public page behind a mailed link, the team's list
// and manual send, and the portal's answer on a resolved conversation. The widget answers
// through routes/csat-widget.ts. Every answer is one command (commands/csat.ts answerSurvey).
//
// The link's page: GET shows the form and records NOTHING (mail scanners open every link);
// the form's POST records. A token is the only credential; wrong ones are counted per client
// address and refused (429) after WRONG_TOKENS_PER_WINDOW, in memory per instance.

export type CsatRouteOptions = { inbox: InboxContext; settings: CsatSettings };

const WRONG_TOKENS_PER_WINDOW = 100;
const WRONG_TOKEN_WINDOW_MS = 15 * 60_000;
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

const TokenParams = z.strictObject({ token: z.string().max(200) });
const PageQuery = z.object({ r: z.string().max(4).optional() });
const Form = z.object({ rating: z.coerce.number().int().min(1).max(5), comment: z.string().max(MAX_CSAT_COMMENT).optional() });
const Params = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
const Answer = z.strictObject({ rating: z.number().int().min(1).max(5), comment: z.string().max(MAX_CSAT_COMMENT).nullable().optional() });
const SurveyViewJson = z
  .object({ id: z.number().int(), rating: z.number().int().nullable(), comment: z.string().nullable(), expiresAt: z.number().int(), open: z.boolean() })
  .meta({ id: 'CsatSurveyView' });
const SurveyJson = z
  .object({
    id: z.number().int(),
    conversation: z.object({ id: z.number().int(), number: z.string(), subject: z.string(), url: z.string().describe("the conversation in the team's inbox") }),
    channel: z.string(),
    sentVia: z.enum(['email', 'widget', 'portal', 'manual', 'import']),
    agent: z.object({ id: z.number().int(), name: z.string() }).nullable().describe('the resolver, or the assignee when the customer resolved it'),
    teamId: z.number().int().nullable(),
    rating: z.number().int().nullable().describe('1–5; null: not answered (yet)'),
    comment: z.string().nullable(),
    sentAt: z.number().int(),
    respondedAt: z.number().int().nullable(),
    expiresAt: z.number().int(),
    history: z.array(z.object({ rating: z.number().int(), comment: z.string().nullable(), at: z.number().int() })).describe('earlier answers, oldest first'),
  })
  .meta({ id: 'CsatSurvey' });
const ListQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,16}\.\d{1,16}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  answered: z.enum(['true', 'false']).default('false'),
  rating: z.coerce.number().int().min(1).max(5).optional(),
});

export const csatRoutes = defineRoutes<CsatRouteOptions>(async (app, { inbox, settings }) => {
  const wrongTokens = new SlidingWindowLimiter(WRONG_TOKENS_PER_WINDOW, WRONG_TOKEN_WINDOW_MS, Date.now, 'Too many wrong survey links; wait a few minutes');
  // The page's form posts as browsers do; only these routes take it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  /** The survey a link names and its conversation's subject; null (counted against the address) for a wrong token. */
  async function fromLink(request: FastifyRequest, token: string) {
    wrongTokens.check(request.ip);
    const survey = await surveyByToken(inbox, token);
    if (!survey) {
      wrongTokens.fail(request.ip);
      return null;
    }
    return { survey, subject: (await getConversation(inbox, Number(survey.conversationId))).subject };
  }

  const pageError = (error: unknown) => (error instanceof DomainError && error.code === 'rate_limited' ? tooManyPage() : null);

  app.get('/csat/:token', { schema: { hide: true, params: TokenParams, querystring: PageQuery } }, async (request, reply) => {
    try {
      const found = await fromLink(request, request.params.token);
      if (!found) return sendPage(reply, 404, unknownPage());
      if (inbox.clock() >= Number(found.survey.expiresAt)) return sendPage(reply, 410, expiredPage());
      const r = Number(request.query.r);
      return sendPage(
        reply,
        200,
        surveyPage({ token: request.params.token, subject: found.subject, chosen: Number.isInteger(r) && r >= 1 && r <= 5 ? r : null }),
      );
    } catch (error) {
      const page = pageError(error);
      if (page) return sendPage(reply, 429, page);
      throw error;
    }
  });

  app.post('/csat/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    try {
      const found = await fromLink(request, request.params.token);
      if (!found) return sendPage(reply, 404, unknownPage());
      if (inbox.clock() >= Number(found.survey.expiresAt)) return sendPage(reply, 410, expiredPage());
      const form = Form.safeParse(request.body ?? {});
      if (!form.success) {
        const problem = 'Please choose a rating from 1 to 5 (a comment may have at most 2,000 characters).';
        return sendPage(reply, 400, surveyPage({ token: request.params.token, subject: found.subject, chosen: null, problem }));
      }
      const answered = await answerSurvey(inbox, { surveyId: Number(found.survey.id), rating: form.data.rating, comment: form.data.comment });
      return sendPage(reply, 200, thanksPage(answered.changed));
    } catch (error) {
      const page = pageError(error);
      if (page) return sendPage(reply, 429, page);
      // Expired between the check and the command.
      if (error instanceof DomainError && error.code === 'invalid_transition') return sendPage(reply, 410, expiredPage());
      throw error;
    }
  });

  app.get(
    '/api/csat',
    {
      schema: {
        tags: ['customer satisfaction'],
        summary: 'Surveys sent, newest first, with their rating and comment (team only)',
        querystring: ListQuery,
        response: { 200: z.object({ surveys: z.array(SurveyJson), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      if (!canSeeSurveys(viewer)) throw new DomainError('forbidden', 'Only the team sees the surveys');
      const { cursor, limit, answered, rating } = request.query;
      const [sentAt, id] = cursor ? cursor.split('.').map(Number) : [];
      const rows = await listCsatSurveys(inbox, {
        cursor: cursor ? { sentAt: sentAt!, id: id! } : null,
        limit: limit + 1,
        answered: answered === 'true',
        rating,
      });
      const page = rows.slice(0, limit);
      return {
        surveys: page.map((s) => ({
          id: Number(s.id),
          conversation: {
            id: Number(s.conversationId),
            number: formatConversationNumber(s.conversationNumber),
            subject: s.subject,
            url: `/inbox/all?conversation=${Number(s.conversationId)}`,
          },
          channel: s.channel,
          sentVia: s.sentVia,
          agent: s.agentId === null ? null : { id: Number(s.agentId), name: s.agentName ?? '' },
          teamId: s.teamId === null ? null : Number(s.teamId),
          rating: s.rating,
          comment: s.comment,
          sentAt: Number(s.sentAt),
          respondedAt: s.respondedAt === null ? null : Number(s.respondedAt),
          expiresAt: Number(s.expiresAt),
          history: JSON.parse(s.history) as { rating: number; comment: string | null; at: number }[],
        })),
        nextCursor: rows.length > limit ? `${Number(page.at(-1)!.sentAt)}.${Number(page.at(-1)!.id)}` : null,
      };
    },
  );

  app.post(
    '/api/conversations/:id/csat',
    {
      schema: {
        tags: ['customer satisfaction'],
        summary: 'Asks the customer now about the conversation since it was last resolved: no delay, no cooldown, once per resolve (team only)',
        params: Params,
        response: { 201: z.object({ surveyId: z.number().int() }), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      if (!canRequestSurvey(viewer)) throw notFound('conversation');
      const conversation = await getConversation(inbox, request.params.id);
      const sent = await requestSurveyNow(inbox, { conversationId: conversation.id, by: { userId: viewer.id }, settings });
      return reply.code(201).send(sent);
    },
  );

  app.get(
    '/api/conversations/:id/csat',
    {
      schema: {
        tags: ['customer satisfaction'],
        summary: "The conversation's current survey (its last resolve's), or null: what the portal shows on a resolved conversation",
        params: Params,
        response: { 200: z.object({ survey: SurveyViewJson.nullable() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const conversation = await getConversation(inbox, request.params.id);
      if (!canView(viewer, conversation)) throw notFound('conversation');
      const survey = await currentSurvey(inbox, conversation.id);
      return { survey: survey ? surveyView(survey, inbox.clock()) : null };
    },
  );

  app.put(
    '/api/conversations/:id/csat',
    {
      schema: {
        tags: ['customer satisfaction'],
        summary: "The customer rates the conversation's current survey (1–5, optional comment); again before it expires: the new answer replaces it",
        params: Params,
        body: Answer,
        response: { 200: z.object({ survey: SurveyViewJson }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const conversation = await getConversation(inbox, request.params.id);
      const survey = await currentSurvey(inbox, conversation.id);
      if (!canView(viewer, conversation)) throw notFound('conversation');
      if (!survey || !canAnswerSurvey(viewer, conversation, { customerId: Number(survey.customerId) })) throw notFound('survey');
      await answerSurvey(inbox, { surveyId: Number(survey.id), rating: request.body.rating, comment: request.body.comment });
      return { survey: surveyView((await currentSurvey(inbox, conversation.id))!, inbox.clock()) };
    },
  );
});
