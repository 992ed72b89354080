import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type AttachmentLimits,
  type AttachmentStorage,
  DEFAULT_ATTACHMENT_LIMITS,
  formatBytes,
  type NewAttachment,
  storeAttachment,
} from '../attachments/index.js';
import { DomainError, invalid } from '../errors.js';
import { unsupportedMediaType } from './errors.js';
import { refuseNul } from './nul-bytes.js';
import type { ZodApp } from './routing.js';

// Message routes take `multipart/form-data` as well as JSON: the JSON fields as form
// fields, files in `files`. Files are streamed into attachment storage as they arrive,
// never held in memory; the fields are then checked with the same zod rules as the JSON
// body. A request refused after some files were stored leaves no rows, and its blobs to
// the orphan cleaner (deleting them here could race with another upload of the same bytes).

export type UploadOptions = { storage: AttachmentStorage; limits?: AttachmentLimits };

export const FILES_FIELD = 'files';
/** Form fields besides files; a message has at most a handful. */
const MAX_FIELDS = 20;

/** Adds the multipart parser to the calling route scope only, with the upload limits. */
export async function registerMultipart(app: ZodApp, limits: AttachmentLimits): Promise<void> {
  await app.register(multipart, {
    limits: {
      // One byte of headroom: storage counts the bytes and refuses the file itself, before
      // anything is stored, so the error can name it.
      fileSize: limits.maxFileBytes + 1,
      files: limits.maxFiles,
      fields: MAX_FIELDS,
      // A text field may be as large as a JSON body may.
      fieldSize: fieldSizeLimit(app),
      parts: limits.maxFiles + MAX_FIELDS,
    },
  });
}

const fieldSizeLimit = (app: { initialConfig: { bodyLimit?: number } }) => app.initialConfig.bodyLimit ?? 1024 * 1024;

const essence = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase();

export function isMultipart(request: FastifyRequest): boolean {
  return essence(request.headers['content-type']) === 'multipart/form-data';
}

/** Refuses a body that is neither JSON nor a form with 415 (Fastify itself would accept text/plain). */
export function requireJsonOrForm(request: FastifyRequest): void {
  const type = essence(request.headers['content-type']);
  if (type === undefined || type === 'application/json' || type === 'multipart/form-data') return;
  throw unsupportedMediaType(`${request.method} ${request.routeOptions.url} takes application/json or multipart/form-data, not ${type}`);
}

export type ReceivedForm = { fields: Record<string, string>; attachments: NewAttachment[] };

/** Reads the whole form: text fields into `fields`, each file into storage as it streams in. */
export async function receiveForm(request: FastifyRequest, reply: FastifyReply, upload: UploadOptions): Promise<ReceivedForm> {
  const limits = upload.limits ?? DEFAULT_ATTACHMENT_LIMITS;
  const fields: Record<string, string> = {};
  const attachments: NewAttachment[] = [];
  // Iterated by hand, not with for-await: after a failure the iterator must stay open to
  // learn why (see drainRefused).
  const parts = request.parts();
  let file: Readable | undefined;
  try {
    for (let next = await parts.next(); !next.done; next = await parts.next()) {
      const part = next.value;
      if (part.type === 'file') file = part.file;
      if (part.fieldname.includes('\u0000')) throw invalid('body', 'body: a field name contains a NUL character');
      const field = `body.${part.fieldname}`;
      if (part.type === 'file') {
        if (part.fieldname !== FILES_FIELD) throw invalid(field, `${field}: files go in the "${FILES_FIELD}" field`);
        const stored = await storeAttachment(upload.storage, part.file, {
          name: part.filename,
          declaredType: part.mimetype,
          maxBytes: limits.maxFileBytes,
          field: FILES_FIELD,
        });
        // A browser sends an empty file input as a nameless empty file: nothing was chosen.
        if (stored.size === 0 && !part.filename) continue;
        attachments.push(stored);
      } else {
        if (part.fieldname === FILES_FIELD) throw invalid(field, `${field}: must be a file, not a text field`);
        if (part.valueTruncated) throw new DomainError('too_large', `${field} exceeds ${formatBytes(fieldSizeLimit(request.server))}`, field);
        if (Object.hasOwn(fields, part.fieldname)) throw invalid(field, `${field}: given more than once`);
        refuseNul(String(part.value), field);
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    // The client may still be sending the rest of the form, which nobody will read now:
    // end the connection after the answer rather than leave it stalled.
    reply.header('connection', 'close');
    throw translateMultipartError(await drainRefused(error, request, parts, file, limits), limits);
  }
  return { fields, attachments };
}

type Parts = ReturnType<FastifyRequest['parts']>;

/** How long a refused form is still read: enough for a form in flight, not for an upload without end. */
const DRAIN_MS = 1000;

/**
 * Reads and drops the rest of a refused form for up to DRAIN_MS, `file` (the part being
 * read when it was refused) included: closing the connection on a client still sending can
 * reset it before the client reads the answer (Node 24's fetch then fails with EPIPE
 * instead of showing the 4xx). Answers why the form failed: when a limit is reached (too
 * many fields, parts or files), @fastify/multipart destroys the file being read, so its
 * storage fails with a bare "Premature close", and queues the real error after whatever
 * parts it had already parsed. That error is the answer.
 */
async function drainRefused(error: unknown, request: FastifyRequest, parts: Parts, file: Readable | undefined, limits: AttachmentLimits): Promise<unknown> {
  let answer = error;
  const premature = (error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
  file?.resume();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DRAIN_MS);
  });
  try {
    try {
      for (let i = 0; i <= limits.maxFiles + MAX_FIELDS + 1; i++) {
        const next = await Promise.race([parts.next(), timeout]);
        if (next === 'timeout') return answer;
        if (next.done) break;
        if (next.value.type === 'file') next.value.file.resume();
      }
    } catch (cause) {
      if (premature) answer = cause;
    }
    // On a limit the parser lets go of the request: what the client still sends is dropped here.
    if (!request.raw.complete) {
      request.raw.resume();
      await Promise.race([finished(request.raw).catch(() => {}), timeout]);
    }
    return answer;
  } finally {
    clearTimeout(timer);
  }
}

/** @fastify/multipart's and busboy's errors, as our one error shape with a clear message. */
function translateMultipartError(error: unknown, limits: AttachmentLimits): unknown {
  if (error instanceof DomainError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'FST_FILES_LIMIT':
      return new DomainError('too_large', `too many files: at most ${limits.maxFiles} per message`, FILES_FIELD);
    case 'FST_REQ_FILE_TOO_LARGE':
      return new DomainError('too_large', `a file exceeds ${formatBytes(limits.maxFileBytes)}`, FILES_FIELD);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new DomainError('too_large', `too many form fields: at most ${MAX_FIELDS} besides the files`);
    case 'FST_PROTO_VIOLATION':
      return invalid('body', 'body: a form field has a reserved name');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return invalid('body', 'body: a form field declared as JSON is not valid JSON');
  }
  // Busboy reports a malformed body (no boundary, truncated part) as a plain Error.
  if (error instanceof Error && !('code' in error) && /multipart|boundary|part|unexpected end/i.test(error.message)) {
    return invalid('body', `body: malformed multipart/form-data (${error.message})`);
  }
  return error;
}

/**
 * Checks form fields against a zod schema and answers its output, or throws the same
 * validation error a JSON body would get (`body.<field>: …`, status 400).
 */
export function parseForm<T extends z.ZodType>(schema: T, fields: Record<string, string>): z.output<T> {
  const validate = validatorCompiler({ schema, method: 'POST', url: '', httpPart: 'body' }) as (data: unknown) => { value?: unknown; error?: unknown[] };
  const result = validate(fields);
  if (result.error) {
    throw Object.assign(new Error('the form is not valid'), {
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      validation: result.error,
      validationContext: 'body',
    });
  }
  return result.value as z.output<T>;
}

/** `files` in a form's OpenAPI schema: only documentation, the parts themselves never reach validation. */
export function filesField(limits: AttachmentLimits) {
  return z
    .array(z.string().meta({ format: 'binary' }))
    .max(limits.maxFiles)
    .optional()
    .describe(
      `Files to attach: up to ${limits.maxFiles}, each at most ${formatBytes(limits.maxFileBytes)}. The type is decided from the content, not the name.`,
    );
}

type SwaggerTransform = NonNullable<FastifyContextConfig['swaggerTransform']>;

/** Documents a route's body as JSON (its zod schema) or as this form. */
export function documentJsonOrForm(form: z.ZodType): SwaggerTransform {
  return (input) => {
    const { schema, url } = jsonSchemaTransform(input);
    const formSchema = jsonSchemaTransform({ ...input, schema: { body: form } }).schema.body;
    const body = { content: { 'application/json': { schema: schema.body }, 'multipart/form-data': { schema: formSchema } } };
    return { url, schema: { ...schema, body } };
  };
}
