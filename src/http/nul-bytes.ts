import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from '../errors.js';

// U+0000 is refused in every piece of request input, at the edge, before any handler or
// query runs: PostgreSQL cannot store it in text (the statement fails, a 500), SQLite
// would store it and hand it back to every reader. One rule for both databases.

const NUL = '\u0000';

/**
 * The first place in `value` holding a NUL character, named like validation errors name
 * fields (`body.customer.email`, `query.q`, `body.tags.0`), or null when there is none.
 * Walks iteratively: a deeply nested JSON body must not exhaust the stack.
 */
function findNul(value: unknown, root: string): { field: string; inName: boolean } | null {
  const pending: [unknown, string][] = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return { field: path, inName: false };
    } else if (Array.isArray(current)) {
      for (const [index, item] of current.entries()) pending.push([item, `${path}.${index}`]);
    } else if (isRecord(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes(NUL)) return { field: path, inName: true };
        pending.push([item, `${path}.${key}`]);
      }
    }
  }
  return null;
}

// Parsed JSON, query strings and params are records (the last two with prototypes of their
// parsers' own); a Buffer or a stream body is not walked.
function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

/** Throws the 400 for the first NUL character in `value`, if there is one. */
export function refuseNul(value: unknown, root: string): void {
  const found = findNul(value, root);
  if (!found) return;
  throw invalid(found.field, found.inName ? `${found.field}: a field name contains a NUL character` : `${found.field} contains a NUL character`);
}

/**
 * On every route, before validation: the path's params, the query string and the parsed
 * body. Not in onRequest: the WebSocket transport's own onRequest hook must have seen an
 * upgrade before any refusal (realtime-socket.ts), and what runs before this (the
 * authentication hooks) only hashes what it reads. A multipart body is read by its route
 * (multipart.ts), which applies the same rule to each field.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    refuseNul(request.params, 'params');
    refuseNul(request.query, 'query');
    refuseNul(request.body, 'body');
  });
}
