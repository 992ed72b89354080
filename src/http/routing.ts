import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

// Route modules import from here rather than from server.ts, so the server can import
// them in turn without a cycle.

/** The server as route modules see it: schemas are zod, handlers are typed from them. */
export type ZodApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** A route module: `app.register(plugin)` it on the server (after buildServer, before ready). */
export type RoutePlugin<Options extends Record<string, unknown> = Record<never, never>> = FastifyPluginAsync<Options, Server, ZodTypeProvider>;

/** Identity helper that gives a route module its zod typing without spelling the generics. */
export function defineRoutes<Options extends Record<string, unknown> = Record<never, never>>(plugin: RoutePlugin<Options>): RoutePlugin<Options> {
  return plugin;
}

/** The zod-typed view of any Fastify instance (the compilers are set once, in buildServer). */
export function withZod(app: FastifyInstance): ZodApp {
  return app.withTypeProvider<ZodTypeProvider>();
}
