import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, type ErrorCode } from '../errors.js';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../store/faults.js';

/** Every code a client may see in `{ error: { code } }`. */
export type ApiErrorCode = ErrorCode | 'unauthorized' | 'unsupported_media_type' | 'bad_request' | 'unavailable' | 'internal';

/** The one error body, for routes that document their error responses in OpenAPI. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. not_found, validation_failed'),
      message: z.string(),
      field: z.string().optional().describe('The input at fault, e.g. body.subject'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBody>;

/** An error raised at the HTTP edge itself (authentication, content negotiation). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthorized = (message = 'Authentication required') => new HttpError(401, 'unauthorized', message);
export const unsupportedMediaType = (message = 'Unsupported media type') => new HttpError(415, 'unsupported_media_type', message);

const DOMAIN_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
};

// Errors from Fastify and its plugins (bad JSON, body limit, rate limit) carry only a status.
const STATUS_CODE: Record<number, ApiErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

type Mapped = { status: number; body: ErrorBody; headers?: Record<string, string> };

/** Seconds a client should wait before retrying while the database is away (a restart or failover takes a few). */
export const RETRY_AFTER_SECONDS = 2;

const body = (code: string, message: string, field?: string): ErrorBody => ({
  error: field === undefined ? { code, message } : { code, message, field },
});

/** Turns anything a handler or hook threw into a status and the one error body. */
export function toErrorResponse(error: unknown): Mapped {
  if (error instanceof DomainError) return { status: DOMAIN_STATUS[error.code], body: body(error.code, error.message, error.field) };
  if (error instanceof HttpError) return { status: error.statusCode, body: body(error.code, error.message, error.field) };
  if (hasZodFastifySchemaValidationErrors(error)) return validationResponse(error);
  if (isDatabaseUnavailable(error)) {
    // Nothing is wrong with the request: the same one (with the same Idempotency-Key, for a write) may succeed shortly.
    const message = error instanceof DatabaseUnavailableError ? error.message : 'The database is unavailable; try again shortly.';
    return { status: 503, body: body('unavailable', message), headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
  }
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // 4xx messages from Fastify and its plugins are written for the client; 5xx ones are not.
    return { status, body: body(STATUS_CODE[status] ?? 'bad_request', (error as Error).message) };
  }
  return { status: 500, body: body('internal', 'Internal server error') };
}

type ZodValidationError = Parameters<typeof hasZodFastifySchemaValidationErrors>[0] & {
  validation: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[];
  validationContext?: string;
};

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

function validationResponse(error: ZodValidationError): Mapped {
  const part = PART[error.validationContext ?? 'body'] ?? 'body';
  const problems = error.validation.map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean);
    // zod reports an unknown key on the enclosing object; name the key itself.
    const keys = issue.keyword === 'unrecognized_keys' ? ((issue.params.keys as string[] | undefined) ?? []) : [];
    const field = [part, ...path, ...keys.slice(0, 1)].join('.');
    return { field, message: `${field}: ${describeIssue(issue.keyword, issue.message ?? 'Invalid', keys)}` };
  });
  const first = problems[0]!;
  return { status: 400, body: body('validation_failed', problems.map((p) => p.message).join('; '), first.field) };
}

function describeIssue(keyword: string, message: string, keys: string[]): string {
  if (keyword === 'invalid_type' && message.endsWith('received undefined')) return 'Required';
  if (keyword === 'unrecognized_keys') return keys.length > 1 ? `Unknown fields: ${keys.join(', ')}` : 'Unknown field';
  return message;
}

/** Installs the one error shape for thrown errors and unmatched routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body: payload, headers } = toErrorResponse(error);
    // Unexpected failures are logged with their stack; an unreachable database, once per
    // request without one (an outage would bury everything else); client mistakes as a note.
    if (status === 503) request.log.warn({ code: payload.error.code, cause: (error as Error).message }, 'request failed: database unavailable');
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: payload.error.code, status }, payload.error.message);
    if (headers) reply.headers(headers);
    return reply.code(status).type('application/json; charset=utf-8').send(payload);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(body('not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`)));
}
