import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Store } from '../store/database.js';

/** The HTTP edge. For now it answers health checks; the REST API mounts here. */
export function buildServer(options: { store: Store; logger?: boolean }): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });

  // Answers only once migrations ran (the app starts listening after them) and the database responds.
  app.get('/api/health', async (_request, reply) => {
    try {
      await sql`select 1`.execute(options.store.db);
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false });
    }
  });

  return app;
}
