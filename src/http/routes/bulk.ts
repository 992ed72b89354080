import { z } from 'zod';
import { notFound } from '../../errors.js';
import { getBulkJob } from '../../inbox/bulk/queries.js';
import { cancelBulkJob, MAX_BULK_IDS, startBulkJob } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { isTeam } from '../../inbox/policies.js';
import { MAX_MACRO_ACTIONS } from '../../limits.js';
import { MacroActionJson } from '../../present/schemas.js';
import { requireTeamMember, requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';
import { ListQuery } from './conversations.js';

// Bulk actions: one action on many conversations (a list of ids, or every one a list's query
// matches), run as a durable job whose progress the one who started it polls. The team's only;
// a job is its creator's (and the admins') to see and cancel, anyone else's is 404.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

// The list's own query (GET /api/conversations), without its paging: "all N matching this view".
const Filter = ListQuery.omit({ cursor: true, limit: true, mentioned: true, participating: true });

const Action = z
  .union([
    z.strictObject({ actions: z.array(MacroActionJson).min(1).max(MAX_MACRO_ACTIONS).describe("run on each conversation as a macro's actions are") }),
    z.strictObject({ macroId: id.describe('a macro you may run, run on each conversation') }),
    z.strictObject({ delete: z.literal(true).describe('deletes each conversation (admins)') }),
    z.strictObject({
      spam: z
        .strictObject({ block: z.enum(['address', 'domain']).nullable().optional().describe("also block each sender's address, or domain") })
        .describe('moves each conversation to Spam'),
    }),
  ])
  .describe('what to do to each conversation');

const BulkBody = z
  .strictObject({
    ids: z.array(id).min(1).max(MAX_BULK_IDS).optional().describe('the conversations'),
    filter: Filter.optional().describe("every conversation the list's query matches now (the ids are fixed when the job starts)"),
    action: Action,
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), 'give ids or filter, not both');

const Failure = z.object({
  id: z.number().int(),
  number: z.number().int().optional(),
  code: z.string(),
  error: z.string().describe('why this conversation was left as it was'),
});
const JobJson = z
  .object({
    id: z.number().int(),
    status: z.enum(['running', 'done', 'cancelled']),
    total: z.number().int(),
    done: z.number().int().describe('changed (or already as asked)'),
    failed: z.number().int(),
    failures: z.array(Failure).describe('the first 100 failures'),
    createdBy: z.number().int(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    finishedAt: z.number().int().nullable(),
  })
  .meta({ id: 'BulkJob' });
const One = z.object({ job: JobJson });

export const bulkRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const jobOf = async (jobId: number, viewer: Parameters<typeof getBulkJob>[2]) => {
    const { action: _action, ...job } = await getBulkJob(inbox, jobId, viewer);
    return { job };
  };

  app.post(
    '/api/conversations/bulk',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Applies one action to many conversations, as a job (team only; delete: admins)',
        description:
          'Each conversation is changed in its own transaction: one that fails is reported in the job and undoes nothing of the others. Poll `GET /api/jobs/:id`.',
        body: BulkBody,
        response: { 202: One, ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const { ids, filter, action } = request.body;
      let targets: Parameters<typeof startBulkJob>[1]['targets'];
      if (ids) targets = { ids };
      else {
        const { status, ...query } = filter!;
        targets = { query: { ...query, statuses: status } };
      }
      const started = await startBulkJob(inbox, { targets, action, by: { userId: viewer.id } });
      return reply.code(202).send(await jobOf(started.id, viewer));
    },
  );

  app.get(
    '/api/jobs/:id',
    { schema: { tags: ['conversations'], summary: "A bulk job's progress (its creator and admins)", params: Params, response: { 200: One, ...errors } } },
    async (request) => {
      const viewer = requireUser(request);
      if (!isTeam(viewer)) throw notFound('job');
      return jobOf(request.params.id, viewer);
    },
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Stops a running bulk job after the conversation it is on; what it did stays done',
        params: Params,
        response: { 200: One, ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      if (!isTeam(viewer)) throw notFound('job');
      await cancelBulkJob(inbox, { jobId: request.params.id, viewer });
      return jobOf(request.params.id, viewer);
    },
  );
});
