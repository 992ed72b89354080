import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Store } from '../store/database.js';
import { installErrorHandling } from './errors.js';
import { healthRoutes } from './health.js';
import { installNulGuard } from './nul-bytes.js';
import { registerOpenApi } from './openapi.js';
import { withZod, type ZodApp } from './routing.js';

export { defineRoutes, withZod, type RoutePlugin, type ZodApp } from './routing.js';
export { HttpError, unauthorized, unsupportedMediaType, errorBody } from './errors.js';

export type ServerOptions = {
  store: Store;
  /** true: structured JSON logs (pino) on stdout; false or unset: silent (tests); or pino options. */
  logger?: boolean | FastifyServerOptions['logger'];
  /** Largest request body in bytes (default 1 MiB); larger ones answer 413. */
  bodyLimit?: number;
};

// A caller-supplied id is kept for tracing across services only if it cannot forge log
// lines or headers: short, and from a safe alphabet.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Browsers cannot set headers on a WebSocket, so the live stream takes an API token in
// `?token=`; that must never reach a log file.
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}

function requestForLog(request: FastifyRequest) {
  return { method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip };
}

function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The HTTP edge. Route modules are `app.register(...)`ed on the result (see routing.ts);
 * routes declare zod schemas, which validate, serialize and document them.
 */
export function buildServer(options: ServerOptions): ZodApp {
  const fastify = Fastify({
    logger: options.logger === true ? { serializers: { req: requestForLog } } : (options.logger ?? false),
    genReqId: requestId,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // On close, idle keep-alive sockets go at once; requests in flight finish first.
    forceCloseConnections: 'idle',
  });
  const app = withZod(fastify);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Ahead of every route's own preValidation (forms are read there) and every handler:
  // no request input with U+0000 reaches a handler or the database.
  installNulGuard(app);
  // server.close() drops the keep-alive sockets idle at that moment, but a socket whose
  // request is still running would stay open after its response until keepAliveTimeout
  // (72 s) and hold up shutdown. Answering it with `Connection: close` ends it there.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  registerOpenApi(app);
  app.register(healthRoutes, { store: options.store });
  return app;
}
