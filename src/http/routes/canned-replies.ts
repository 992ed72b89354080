import { z } from 'zod';
import { DEFAULT_ATTACHMENT_LIMITS } from '../../attachments/index.js';
import { cannedFilesOf, cannedTeamIds, getCanned, renderCanned, requireManageableCanned, searchCanned } from '../../inbox/canned/queries.js';
import { addCannedFiles, type CannedReply, createCannedReply, deleteCannedReply, removeCannedFile, updateCannedReply } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { canManageCannedReply, type Viewer } from '../../inbox/policies.js';
import { MAX_CANNED_BODY, MAX_CANNED_NAME, MAX_CANNED_SHORTCUT } from '../../limits.js';
import { CannedReplyJson } from '../../present/schemas.js';
import { requireTeamMember } from '../auth.js';
import { errorBody, unsupportedMediaType } from '../errors.js';
import { isMultipart, receiveForm, registerMultipart, type UploadOptions } from '../multipart.js';
import { defineRoutes } from '../routing.js';

// Canned replies: personal ones (their owner's alone, admins included) and shared ones (the
// whole team's or one team's; admins manage them). The team's only: a customer gets 403.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const teamId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable();
const fields = {
  name: z.string().min(1).max(MAX_CANNED_NAME),
  shortcut: z
    .string()
    .min(1)
    .max(MAX_CANNED_SHORTCUT + 1)
    .describe('one word; a leading / is dropped'),
  body: z.string().min(1).max(MAX_CANNED_BODY),
};
const CreateBody = z.strictObject({
  ...fields,
  shared: z.boolean().default(false).describe('true: a shared reply (admins only); false or omitted: yours alone'),
  teamId: teamId.optional().describe("a shared reply's team; null or omitted: the whole team"),
});
const PatchBody = z
  .strictObject({ name: fields.name.optional(), shortcut: fields.shortcut.optional(), body: fields.body.optional(), teamId: teamId.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of name, shortcut, body, teamId');

export const cannedReplyRoutes = defineRoutes<{ inbox: InboxContext; attachments?: UploadOptions }>(async (app, { inbox, attachments }) => {
  if (attachments) await registerMultipart(app, attachments.limits ?? DEFAULT_ATTACHMENT_LIMITS);
  type Files = Map<number, { id: number; name: string; contentType: string; size: number }[]>;
  const present = (reply: CannedReply, viewer: Viewer, teamIds: readonly number[], files: Files): CannedReplyJson => {
    const { createdBy: _createdBy, ...shown } = reply;
    const own = (files.get(reply.id) ?? []).map(({ id, name, contentType, size }) => ({ id, name, contentType, size }));
    return { ...shown, canManage: canManageCannedReply({ ...viewer, teamIds }, reply), files: own };
  };
  const presentOne = async (reply: CannedReply, viewer: Viewer) =>
    present(reply, viewer, await cannedTeamIds(inbox, viewer.id), await cannedFilesOf(inbox, [reply.id]));
  const one = z.object({ reply: CannedReplyJson });

  app.get(
    '/api/canned-replies',
    {
      schema: {
        tags: ['canned replies'],
        summary: 'The canned replies you may use whose shortcut, name or body holds q: shortcut prefix first, then name, then body; at most 20 (team only)',
        querystring: z.strictObject({ q: z.string().max(200).default('') }),
        response: { 200: z.object({ items: z.array(CannedReplyJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const replies = await searchCanned(inbox, viewer, request.query.q);
      const teamIds = await cannedTeamIds(inbox, viewer.id);
      const files = await cannedFilesOf(
        inbox,
        replies.map((r) => r.id),
      );
      return { items: replies.map((r) => present(r, viewer, teamIds, files)) };
    },
  );

  app.get(
    '/api/canned-replies/:id/render',
    {
      schema: {
        tags: ['canned replies'],
        summary: "The reply's body with its placeholders filled for a conversation, and those left as written (no value, or unknown)",
        params: Params,
        querystring: z.strictObject({ conversation: z.string().min(1).max(32).describe('id or CONV-000123') }),
        response: { 200: z.object({ body: z.string(), missing: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      return renderCanned(inbox, viewer, request.params.id, request.query.conversation);
    },
  );

  app.post(
    '/api/canned-replies',
    { schema: { tags: ['canned replies'], summary: 'Makes a canned reply (shared: admins)', body: CreateBody, response: { 201: one, ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const created = await createCannedReply(inbox, { ...request.body, by: { userId: viewer.id } });
      return reply.code(201).send({ reply: await presentOne(created, viewer) });
    },
  );

  app.patch(
    '/api/canned-replies/:id',
    {
      schema: {
        tags: ['canned replies'],
        summary: "Changes a canned reply: your own, or a shared one as an admin; another's personal reply is not found",
        params: Params,
        body: PatchBody,
        response: { 200: one, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const updated = await updateCannedReply(inbox, { ...request.body, id: request.params.id, by: { userId: viewer.id } });
      return { reply: await presentOne(updated, viewer) };
    },
  );

  app.delete(
    '/api/canned-replies/:id',
    { schema: { tags: ['canned replies'], summary: 'Deletes a canned reply (as PATCH)', params: Params, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      await deleteCannedReply(inbox, { id: request.params.id, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/canned-replies/:id/files',
    {
      schema: {
        tags: ['canned replies'],
        summary: 'Adds files to a canned reply you may change (multipart/form-data, files in `files`)',
        params: Params,
        response: { 200: one, 415: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      if (!attachments || !isMultipart(request)) throw unsupportedMediaType('files come as multipart/form-data, in the "files" field');
      // Refused before a byte is stored: an upload to a reply one may not change is a stranger's.
      await requireManageableCanned(inbox, viewer, request.params.id);
      const form = await receiveForm(request, reply, attachments);
      await addCannedFiles(inbox, { id: request.params.id, files: form.attachments, by: { userId: viewer.id } });
      return { reply: await presentOne(await getCanned(inbox, viewer, request.params.id), viewer) };
    },
  );

  app.delete(
    '/api/canned-replies/:id/files/:fileId',
    {
      schema: {
        tags: ['canned replies'],
        summary: 'Removes a file from a canned reply you may change; messages already sent keep theirs',
        params: Params.extend({ fileId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      await removeCannedFile(inbox, { id: request.params.id, fileId: request.params.fileId, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );
});
