import { z } from 'zod';
import { type AttachmentStorage, contentDisposition, isInlineSafe, servedContentType } from '../../attachments/index.js';
import { notFound } from '../../errors.js';
import { getAttachment } from '../../inbox/attachments.js';
import type { InboxContext } from '../../inbox/context.js';
import { canSeeMessage } from '../../inbox/policies.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// GET /api/attachments/:id. An attachment is exactly as visible as its message: a customer
// gets 404 for another customer's files and for files on internal notes, as if they did
// not exist, so ids cannot be probed. What is served is sender-supplied content, so it
// downloads (only raster images show inline), the browser may not second-guess the type,
// and a sandboxing CSP keeps it from running anything in our origin if opened anyway.

/** Rows never change and blobs are content-addressed; the short life bounds how long a revoked viewer keeps a copy. */
const MAX_AGE_SECONDS = 3600;

/** Whether If-None-Match names this ETag (weak or strong, or `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export const attachmentRoutes = defineRoutes<{ inbox: InboxContext; storage: AttachmentStorage }>(async (app, { inbox, storage }) => {
  app.get(
    '/api/attachments/:id',
    {
      schema: {
        tags: ['attachments'],
        summary: 'Downloads an attachment',
        description:
          'The file, for whoever may see its message (404 otherwise). `Content-Disposition` is `attachment`, or `inline` for PNG, JPEG, GIF and WebP images only; ' +
          'the type was decided from the content at upload. The ETag is the SHA-256 of the content; send it in `If-None-Match` for a 304.',
        params: z.strictObject({ id: z.coerce.number().int().positive().describe('the attachment id from a message') }),
        headers: z.object({ 'if-none-match': z.string().optional() }).passthrough(),
        response: {
          200: {
            description: 'The file content',
            content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
          },
          304: z.null().describe('Not Modified: the ETag in If-None-Match is still current'),
          400: errorBody,
          401: errorBody,
          404: errorBody,
        },
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      const found = await getAttachment(inbox, request.params.id);
      if (!found || !canSeeMessage(viewer, found.conversation, found.message)) throw notFound('attachment');
      const { attachment } = found;
      const etag = `"${attachment.sha256}"`;
      reply
        .header('etag', etag)
        .header('cache-control', `private, max-age=${MAX_AGE_SECONDS}`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cross-origin-resource-policy', 'same-origin');
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send(null);

      const blob = await storage.open(attachment.sha256);
      // A row whose content is gone is our fault, not the caller's: a logged 500.
      if (!blob) throw new Error(`attachment ${attachment.id}: blob ${attachment.sha256} is missing from storage`);
      return (
        reply
          .header('content-type', servedContentType(attachment.contentType))
          .header('content-length', blob.size)
          .header('content-disposition', contentDisposition(isInlineSafe(attachment.contentType) ? 'inline' : 'attachment', attachment.name))
          // A stream is sent as it is; the 200 schema above only documents it.
          .send(blob.stream as never)
      );
    },
  );
});
