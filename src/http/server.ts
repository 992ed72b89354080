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

export { errorBody, HttpError, unauthorized, unsupportedMediaType } from './errors.js';
export { defineRoutes, type RoutePlugin, withZod, type ZodApp } from './routing.js';

export type ServerOptions = {
  store: Store;
  /** true: structured JSON logs (pino) on stdout at `logLevel`; false or unset: silent (tests); or pino options. */
  logger?: boolean | FastifyServerOptions['logger'];
  /**
   * With `logger: true`, the least severe level written (default `warn`). A line per request
   * is `info`: on by default it would scroll the first admin's one-time password off the
   * screen within seconds of the first page load.
   */
  logLevel?: string;
  /** Largest request body in bytes (default 1 MiB); larger ones answer 413. */
  bodyLimit?: number;
  /** Whose X-Forwarded-For gives `request.ip` (config.ts trustProxy); default none. */
  trustProxy?: boolean | number | string[];
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

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/**
 * The HTTP edge. Route modules are `app.register(...)`ed on the result (see routing.ts);
 * routes declare zod schemas, which validate, serialize and document them.
 */
export function buildServer(options: ServerOptions): ZodApp {
  const fastify = Fastify({
    logger: options.logger === true ? { level: options.logLevel ?? 'warn', serializers: { req: requestForLog } } : (options.logger ?? false),
    genReqId: requestId,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A hop count as proxy-addr reads one: the nearest `n` addresses are proxies.
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
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
  // A streamed response (a download) whose headers went out before close began, and which
  // was still finishing when close dropped the idle sockets, leaves its socket idle only
  // now: drop it too, or it holds shutdown up until keepAliveTimeout.
  app.addHook('onResponse', async () => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });
  registerOpenApi(app);
  app.register(healthRoutes, { store: options.store });
  return app;
}
