import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ChatContext, currentChat, type Visitor } from '../../channels/chat/chat.js';
import { notFound } from '../../errors.js';
import { answerSurvey } from '../../inbox/commands/csat.js';
import { currentSurvey, MAX_CSAT_COMMENT, surveyView } from '../../inbox/csat.js';
import { errorBody } from '../errors.js';
import { SlidingWindowLimiter } from '../rate-limiter.js';
import { defineRoutes } from '../routing.js';

// The widget's rating card (issue 19 "CSAT"): the visitor's current chat's survey, and
// their answer to it. Registered inside the widget's routes (routes/widget.ts), so the
// widget's CORS rules and visitor-token check apply; the answer is the same command as
// the link's page and the portal's.

export type CsatWidgetOptions = { chat: ChatContext; visitorOf: (request: FastifyRequest) => Promise<Visitor & { token: string }> };

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 429: errorBody };
const SurveyJson = z.object({
  conversationId: z.number().int(),
  rating: z.number().int().nullable(),
  comment: z.string().nullable(),
  expiresAt: z.number().int(),
  open: z.boolean().describe('still takes an answer (or a change of it)'),
});
const Answer = z.strictObject({ rating: z.number().int().min(1).max(5), comment: z.string().max(MAX_CSAT_COMMENT).nullable().optional() });

export const csatWidgetRoutes = defineRoutes<CsatWidgetOptions>(async (app, { chat, visitorOf }) => {
  const answers = new SlidingWindowLimiter(30, 60_000, Date.now, 'Too many ratings; wait a moment');

  async function surveyOf(visitor: Visitor) {
    const conversation = await currentChat(chat, visitor);
    const survey = conversation ? await currentSurvey(chat.inbox, conversation.id) : null;
    // Only a survey asked of this chat's customer, which the visitor is.
    return conversation && survey && Number(survey.customerId) === visitor.customerId ? { conversation, survey } : null;
  }

  app.get(
    '/api/widget/csat',
    {
      schema: {
        tags: ['chat widget'],
        summary: "The current chat's satisfaction survey, or null",
        response: { 200: z.object({ survey: SurveyJson.nullable() }), ...errors },
      },
    },
    async (request) => {
      const found = await surveyOf(await visitorOf(request));
      return { survey: found ? { conversationId: found.conversation.id, ...surveyView(found.survey, chat.inbox.clock()) } : null };
    },
  );

  app.post(
    '/api/widget/csat',
    {
      schema: {
        tags: ['chat widget'],
        summary: 'The visitor rates the current chat (1–5, optional comment); again before it expires: the new answer replaces it',
        body: Answer,
        response: { 200: z.object({ survey: SurveyJson }), ...errors },
      },
    },
    async (request) => {
      const visitor = await visitorOf(request);
      answers.take(`visitor:${visitor.id}`);
      const found = await surveyOf(visitor);
      if (!found) throw notFound('survey');
      await answerSurvey(chat.inbox, { surveyId: Number(found.survey.id), rating: request.body.rating, comment: request.body.comment });
      const saved = (await currentSurvey(chat.inbox, found.conversation.id))!;
      return { survey: { conversationId: found.conversation.id, ...surveyView(saved, chat.inbox.clock()) } };
    },
  );
});
