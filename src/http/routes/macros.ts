import { z } from 'zod';
import { SNOOZE_PRESETS } from '../../calendar/snooze-presets.js';
import { applyMacro, createMacro, deleteMacro, type Macro, updateMacro } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { getMacro, listMacrosFor } from '../../inbox/macros/queries.js';
import { canManageMacro, type Viewer } from '../../inbox/policies.js';
import { MAX_MACRO_ACTIONS, MAX_MACRO_CONVERSATIONS, MAX_MACRO_NAME, MAX_MACRO_TEXT, MAX_TAG_LENGTH, MAX_TAGS } from '../../limits.js';
import { presentConversation } from '../../present/presenters.js';
import { ConversationJson, MacroJson } from '../../present/schemas.js';
import { LABELS, PRIORITIES, STATUSES } from '../../store/schema.js';
import { requireTeamMember } from '../auth.js';
import { errorBody, toErrorResponse } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Macros: personal ones (their owner's alone, admins included) and the team's shared ones
// (admins manage them). Applying runs one macro on each conversation given, each in its own
// transaction: one that fails is reported and undoes nothing of the others. The team's only.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const text = z.string().min(1).max(MAX_MACRO_TEXT);
const tags = z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(MAX_TAGS).optional();
const labels = z.array(z.enum(LABELS)).max(LABELS.length).optional();
// The API's word on what an action is; the command checks the same again (inbox/macros/actions.ts).
const Action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('reply'), body: text }),
  z.strictObject({ type: z.literal('note'), body: text }),
  z.strictObject({ type: z.literal('canned'), cannedReplyId: id, as: z.enum(['reply', 'note']) }),
  z.strictObject({ type: z.literal('status'), status: z.enum(STATUSES) }),
  z.strictObject({ type: z.literal('priority'), priority: z.enum(PRIORITIES) }),
  z.strictObject({ type: z.literal('team'), teamId: id.nullable() }),
  z.strictObject({ type: z.literal('assign'), assigneeId: z.union([id, z.literal('me'), z.null()]) }),
  z.strictObject({ type: z.literal('labels'), add: labels, remove: labels }),
  z.strictObject({ type: z.literal('tags'), add: tags, remove: tags }),
  z.strictObject({
    type: z.literal('snooze'),
    preset: z.enum(SNOOZE_PRESETS).optional(),
    until: z.null().optional().describe('null: until the customer writes (a macro takes no fixed time)'),
  }),
]);
const fields = { name: z.string().min(1).max(MAX_MACRO_NAME), actions: z.array(Action).min(1).max(MAX_MACRO_ACTIONS) };
const CreateBody = z.strictObject({
  ...fields,
  shared: z.boolean().default(false).describe("true: the team's (admins only); false or omitted: yours alone"),
});
const PatchBody = z
  .strictObject({ name: fields.name.optional(), actions: fields.actions.optional() })
  .refine((b) => b.name !== undefined || b.actions !== undefined, 'give a name or actions');
const ApplyBody = z.strictObject({ conversationIds: z.array(id).min(1).max(MAX_MACRO_CONVERSATIONS) });
const Applied = z.discriminatedUnion('ok', [
  z.object({ conversationId: z.number().int(), ok: z.literal(true), conversation: ConversationJson }),
  z.object({ conversationId: z.number().int(), ok: z.literal(false), error: errorBody.shape.error }),
]);

export const macroRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const present = (macro: Macro, viewer: Viewer): MacroJson => {
    const { createdBy: _createdBy, ...shown } = macro;
    return { ...shown, canManage: canManageMacro(viewer, macro) };
  };
  const one = z.object({ macro: MacroJson });

  app.get(
    '/api/macros',
    {
      schema: {
        tags: ['macros'],
        summary: "Your macros and the team's shared ones, by name (team only)",
        response: { 200: z.object({ items: z.array(MacroJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      return { items: (await listMacrosFor(inbox, viewer.id)).map((m) => present(m, viewer)) };
    },
  );

  app.post(
    '/api/macros',
    { schema: { tags: ['macros'], summary: 'Makes a macro (shared: admins)', body: CreateBody, response: { 201: one, ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const created = await createMacro(inbox, { ...request.body, by: { userId: viewer.id } });
      return reply.code(201).send({ macro: present(created, viewer) });
    },
  );

  app.patch(
    '/api/macros/:id',
    {
      schema: {
        tags: ['macros'],
        summary: "Changes a macro: your own, or a shared one as an admin; another's personal macro is not found",
        params: Params,
        body: PatchBody,
        response: { 200: one, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const updated = await updateMacro(inbox, { ...request.body, id: request.params.id, by: { userId: viewer.id } });
      return { macro: present(updated, viewer) };
    },
  );

  app.delete(
    '/api/macros/:id',
    { schema: { tags: ['macros'], summary: 'Deletes a macro (as PATCH)', params: Params, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      await deleteMacro(inbox, { id: request.params.id, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/macros/:id/apply',
    {
      schema: {
        tags: ['macros'],
        summary:
          'Runs the macro on each conversation, each in one transaction (all its actions or none), and answers per conversation: ok with the conversation, or the error',
        params: Params,
        body: ApplyBody,
        response: { 200: z.object({ results: z.array(Applied) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      // A macro that is not there (or not theirs) is the request's fault, not one conversation's.
      await getMacro(inbox, viewer, request.params.id);
      const results: z.infer<typeof Applied>[] = [];
      for (const conversationId of request.body.conversationIds) {
        try {
          const conversation = await applyMacro(inbox, { macroId: request.params.id, conversation: conversationId, by: { userId: viewer.id } });
          results.push({ conversationId, ok: true, conversation: presentConversation(viewer, conversation) });
        } catch (error) {
          const { status, body } = toErrorResponse(error);
          if (status >= 500) request.log.error({ err: error, conversationId }, 'a macro failed on a conversation');
          results.push({ conversationId, ok: false, error: body.error });
        }
      }
      return { results };
    },
  );
});
