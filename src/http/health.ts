import { z } from 'zod';
import { pingDatabase, type Store } from '../store/database.js';
import { errorBody, RETRY_AFTER_SECONDS } from './errors.js';
import { defineRoutes } from './routing.js';

/** How long the database may take to answer before health reports it down. */
const DATABASE_TIMEOUT_MS = 2_000;

export const healthRoutes = defineRoutes<{ store: Store }>(async (app, { store }) => {
  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Readiness: migrations ran and the database answers',
        tags: ['system'],
        response: {
          200: z.object({ ok: z.literal(true) }),
          // The error body when the database went before this handler ran (a hook reading the caller's session or token).
          503: z.union([z.object({ ok: z.literal(false) }), errorBody]).describe('The database does not answer; retry after Retry-After seconds'),
        },
      },
    },
    // The server listens only after migrations, so answering at all means they ran.
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database timeout')), DATABASE_TIMEOUT_MS);
      });
      try {
        // A hung database must not hang the probe too.
        await Promise.race([pingDatabase(store), timeout]);
        return { ok: true as const };
      } catch (error) {
        reply.log.warn({ err: error }, 'health check: database did not answer');
        // Down, not broken: a load balancer or client may ask again shortly (a restart or failover takes seconds).
        return reply
          .code(503)
          .header('retry-after', String(RETRY_AFTER_SECONDS))
          .send({ ok: false as const });
      } finally {
        clearTimeout(timer);
      }
    },
  );
});
