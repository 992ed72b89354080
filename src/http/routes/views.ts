import { z } from 'zod';
import { DomainError, notFound } from '../../errors.js';
import { createView, deleteView, type SavedView, updateView, type ViewFilter } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { canSeeView, type Viewer } from '../../inbox/policies.js';
import { type ConversationQuery, getConversationCounts, getConversations, getSavedViews } from '../../inbox/queries.js';
import { MAX_PAGE, MAX_VIEW_NAME } from '../../limits.js';
import { presentConversation } from '../../present/presenters.js';
import { ConversationPageJson, SavedViewJson } from '../../present/schemas.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';
import { ListQuery } from './conversations.js';

// Saved views: the conversation list's filter and sort under a name, personal or shared with
// a team. The team's only: every route answers a customer 403. The filter is the list's own
// query schema, so a view lists exactly what the list would with the same parameters.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const Filter = ListQuery.omit({ cursor: true, limit: true }).describe("the conversation list's query parameters (GET /api/conversations) but cursor and limit");
const teamId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().describe('a team you are in to share it with; null or omitted: yours alone');

const CreateBody = z.strictObject({ name: z.string().min(1).max(MAX_VIEW_NAME), filter: Filter, teamId: teamId.optional() });
const PatchBody = z
  .strictObject({ name: CreateBody.shape.name.optional(), filter: Filter.optional(), teamId: teamId.optional() })
  .refine((b) => b.name !== undefined || b.filter !== undefined || b.teamId !== undefined, 'give at least one of name, filter, teamId');

/** The checked filter back as the URL spells it: what is stored and handed back. */
function asParams(filter: z.infer<typeof Filter>): ViewFilter {
  const params: ViewFilter = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    params[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return params;
}

/** A stored filter as the list's query, for this viewer: checked again, as the list checks its URL. */
function queryOf(view: SavedView, viewer: Viewer): ConversationQuery {
  const parsed = Filter.safeParse(view.filter);
  // Saved under an older list schema: a 409 naming the view, not a 500.
  if (!parsed.success) throw new DomainError('conflict', `view "${view.name}" has a filter the list no longer takes: save it again`, 'filter');
  const { status, ...filter } = parsed.data;
  return { ...filter, statuses: status, viewerId: viewer.id, includeInternal: true };
}

export const viewRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const present = async (view: SavedView, viewer: Viewer): Promise<SavedViewJson> => ({
    ...view,
    ...(await getConversationCounts(inbox, queryOf(view, viewer))),
  });
  const visible = async (viewer: Viewer, id: number): Promise<SavedView> => {
    const { views, teamIds } = await getSavedViews(inbox, viewer.id);
    const view = views.find((v) => v.id === id);
    if (!view || !canSeeView({ ...viewer, teamIds }, view)) throw notFound('view');
    return view;
  };

  app.get(
    '/api/views',
    {
      schema: {
        tags: ['views'],
        summary: "The caller's saved views and those shared with their teams, each with its counts (team only)",
        response: { 200: z.object({ items: z.array(SavedViewJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const { views } = await getSavedViews(inbox, viewer.id);
      const items: SavedViewJson[] = [];
      // One at a time: each view's counts are a few capped queries, and the pool is shared.
      for (const view of views) items.push(await present(view, viewer));
      return { items };
    },
  );

  app.post(
    '/api/views',
    { schema: { tags: ['views'], summary: 'Saves a view (team only)', body: CreateBody, response: { 201: z.object({ view: SavedViewJson }), ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const { filter, ...input } = request.body;
      const view = await createView(inbox, { ...input, filter: asParams(filter), by: { userId: viewer.id } });
      return reply.code(201).send({ view: await present(view, viewer) });
    },
  );

  app.patch(
    '/api/views/:id',
    {
      schema: {
        tags: ['views'],
        summary: 'Renames a view, changes its filter or whom it is shared with (its owner; a shared one, its team and admins)',
        params: Params,
        body: PatchBody,
        response: { 200: z.object({ view: SavedViewJson }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const { filter, ...input } = request.body;
      const view = await updateView(inbox, {
        ...input,
        ...(filter !== undefined ? { filter: asParams(filter) } : {}),
        id: request.params.id,
        by: { userId: viewer.id },
      });
      return { view: await present(view, viewer) };
    },
  );

  app.delete(
    '/api/views/:id',
    { schema: { tags: ['views'], summary: 'Deletes a view (as PATCH)', params: Params, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      await deleteView(inbox, { id: request.params.id, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/views/:id/conversations',
    {
      schema: {
        tags: ['views'],
        summary: "The view's conversations: the list with its filter and sort (team only)",
        params: Params,
        querystring: z.strictObject({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional() }),
        response: {
          200: ConversationPageJson,
          ...errors,
        },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const view = await visible(viewer, request.params.id);
      const page = await getConversations(inbox, { ...queryOf(view, viewer), ...request.query });
      return { ...page, items: page.items.map((c) => presentConversation(viewer, c)) };
    },
  );
});
