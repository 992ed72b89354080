import { z } from 'zod';
import { listFailedMail, type ReprocessResult } from '../../channels/email/index.js';
import { DomainError } from '../../errors.js';
import type { InboxContext } from '../../inbox/context.js';
import { canManageMail } from '../../inbox/policies.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The failed-mail list: inbound mail the email channel kept but could not file (no usable
// sender, a parse error, a flood suspended), for admins to look at and process again.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

const FailedMailJson = z
  .object({
    id: z.number(),
    receivedAt: z.number().describe('epoch milliseconds'),
    source: z.enum(['smtp', 'imap']),
    from: z.string().nullable().describe('the sender, as far as it could be read'),
    subject: z.string().nullable(),
    messageId: z.string().nullable().describe('Message-ID header, without <>'),
    size: z.number().describe('bytes of the raw mail'),
    attempts: z.number(),
    error: z.string().describe('why it is here'),
    flags: z.object({ autoReply: z.boolean(), bounce: z.boolean(), bulk: z.boolean() }),
  })
  .meta({ id: 'FailedMail' });

const ListQuery = z.strictObject({
  cursor: z.coerce.number().int().positive().optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const ReprocessJson = z.object({
  id: z.number(),
  status: z.enum(['pending', 'processed', 'ignored', 'failed']).describe('failed again: see error'),
  error: z.string().nullable(),
  conversationId: z.number().nullable(),
  messageId: z.number().nullable().describe('the inbox message it became'),
});

function requireAdmin(request: Parameters<typeof requireUser>[0]) {
  const user = requireUser(request);
  if (!canManageMail(user)) throw new DomainError('forbidden', 'Only an admin can see and reprocess failed mail');
  return user;
}

export type EmailRouteOptions = {
  inbox: InboxContext;
  /** Processes a failed mail again through the email channel the composition started (conflict when none runs). */
  reprocess: (id: number) => Promise<ReprocessResult>;
};

export const emailRoutes = defineRoutes<EmailRouteOptions>(async (app, { inbox, reprocess }) => {
  app.get(
    '/api/email/failed',
    {
      schema: {
        tags: ['email'],
        summary: 'Inbound mail that could not be filed',
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(FailedMailJson), nextCursor: z.number().nullable() }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return listFailedMail(inbox.store, { cursor: request.query.cursor, limit: request.query.limit ?? 50 });
    },
  );

  app.post(
    '/api/email/failed/:id/reprocess',
    {
      schema: {
        tags: ['email'],
        summary: 'Process a failed mail again (the flood limit does not apply)',
        params: Params,
        response: { 200: z.object({ mail: ReprocessJson }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { mail: await reprocess(request.params.id) };
    },
  );
});
