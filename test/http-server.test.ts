import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../src/errors.js';
import { buildServer, defineRoutes, errorBody, unauthorized, type ZodApp } from '../src/http/server.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

// A route module of the kind the REST API will be built from, registered only here.
const testRoutes = defineRoutes(async (app) => {
  app.post(
    '/api/test/echo',
    {
      schema: {
        body: z.strictObject({ subject: z.string().min(1), customer: z.strictObject({ email: z.email() }).optional() }),
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional() }),
        response: { 200: z.object({ subject: z.string(), limit: z.number().nullable() }), 400: errorBody },
      },
    },
    // The handler's types come from the schemas: request.body.subject is a string.
    async (request) => ({ subject: request.body.subject.toUpperCase(), limit: request.query.limit ?? null }),
  );
  app.get('/api/test/missing', async () => {
    throw new DomainError('not_found', 'Conversation not found');
  });
  app.get('/api/test/transition', async () => {
    throw new DomainError('invalid_transition', 'A closed conversation cannot become pending');
  });
  app.get('/api/test/login-required', async () => {
    throw unauthorized();
  });
  app.get('/api/test/crash', async () => {
    throw new Error('secret detail: connection string postgres://user:pw@db');
  });
  app.get('/api/test/bad-response', { schema: { response: { 200: z.object({ n: z.number() }) } } }, async () => {
    return { n: 'not a number' } as unknown as { n: number };
  });
});

let store: Store;
let app: ZodApp;

beforeAll(async () => {
  store = await makeTestStore();
  app = buildServer({ store, bodyLimit: 1024 });
  app.register(testRoutes);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

const post = (payload: string, contentType = 'application/json', url = '/api/test/echo') =>
  app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

describe('HTTP server', () => {
  it('GET /api/health answers ok while the database responds', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it('GET /api/health answers 503 when the database does not', async () => {
    const broken = await makeTestStore();
    await broken.close();
    const server = buildServer({ store: broken });
    try {
      const response = await server.inject({ method: 'GET', url: '/api/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ ok: false });
    } finally {
      await server.close();
    }
  });

  it('serves an OpenAPI 3 document generated from the route schemas', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Onethread API', version: expect.any(String) });
    expect(doc.paths['/api/health'].get.responses['200']).toBeDefined();
    // The zod body schema is turned into JSON Schema, strictness included.
    const body = doc.paths['/api/test/echo'].post.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', required: ['subject'], additionalProperties: false });
    expect(doc.paths['/api/test/echo'].post.parameters).toEqual([expect.objectContaining({ in: 'query', name: 'limit' })]);
    // Documentation routes are not part of the API.
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/api/docs'))).toBe(false);
  });

  it('serves a browsable reference at /api/docs', async () => {
    for (const url of ['/api/docs', '/api/docs/']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('swagger-ui');
    }
    const script = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js' });
    expect(script.statusCode).toBe(200);
  });

  it('a valid request reaches the typed handler', async () => {
    const response = await post(JSON.stringify({ subject: 'hello' }), 'application/json', '/api/test/echo?limit=5');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ subject: 'HELLO', limit: 5 });
  });

  it('an unknown body field is rejected with 400 naming it', async () => {
    const response = await post(JSON.stringify({ subject: 'hi', isAdmin: true }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: { code: 'validation_failed', message: 'body.isAdmin: Unknown field', field: 'body.isAdmin' },
    });
  });

  it('an unknown nested field and an unknown query parameter are rejected too', async () => {
    const nested = await post(JSON.stringify({ subject: 'hi', customer: { email: 'a@b.test', role: 'admin' } }));
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error).toMatchObject({ code: 'validation_failed', field: 'body.customer.role' });
    const query = await post(JSON.stringify({ subject: 'hi' }), 'application/json', '/api/test/echo?limt=5');
    expect(query.statusCode).toBe(400);
    expect(query.json().error).toMatchObject({ code: 'validation_failed', field: 'query.limt' });
  });

  it('a missing or invalid field is rejected with 400 naming it', async () => {
    const missing = await post(JSON.stringify({}));
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      error: { code: 'validation_failed', message: 'body.subject: Required', field: 'body.subject' },
    });
    const invalid = await post(JSON.stringify({ subject: 'hi', customer: { email: 'nope' } }));
    expect(invalid.json().error).toMatchObject({ field: 'body.customer.email', message: expect.stringMatching(/^body\.customer\.email: /) });
  });

  it('malformed JSON answers 400', async () => {
    const response = await post('{"subject": ');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'validation_failed', message: expect.any(String) } });
  });

  it('a content type the server does not parse answers 415', async () => {
    const response = await post('subject=hi', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: { code: 'unsupported_media_type', message: expect.any(String) } });
  });

  it('a body over the limit answers 413', async () => {
    const response = await post(JSON.stringify({ subject: 'x'.repeat(2048) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: { code: 'too_large', message: 'Request body is too large' } });
  });

  it('domain and HTTP errors map to their status with the one shape', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/test/missing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found' } });
    const transition = await app.inject({ method: 'GET', url: '/api/test/transition' });
    expect(transition.statusCode).toBe(409);
    expect(transition.json().error.code).toBe('invalid_transition');
    const login = await app.inject({ method: 'GET', url: '/api/test/login-required' });
    expect(login.statusCode).toBe(401);
    expect(login.json()).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });
  });

  it('an unexpected error answers 500 with a generic message and no details', async () => {
    for (const url of ['/api/test/crash', '/api/test/bad-response']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
      expect(response.body).not.toMatch(/secret|stack|at .*\.ts/);
    }
  });

  it('an unknown route answers 404 with the one shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'Route GET /api/nothing-here not found' } });
  });

  it('close() lets a request in flight finish before the server stops', async () => {
    const server = buildServer({ store });
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    server.register(
      defineRoutes(async (scope) => {
        scope.get('/api/test/slow', { schema: { response: { 200: z.object({ done: z.boolean() }) } } }, async () => {
          started();
          await new Promise((resolve) => setTimeout(resolve, 200));
          return { done: true };
        });
      }),
    );
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`${url}/api/test/slow`);
    await handlerStarted;
    const closed = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closed;
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });

  it('echoes a sane x-request-id and replaces anything else with a fresh id', async () => {
    const echoed = await app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const forged = await app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'a\nfake log line' } });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await post('{');
    expect(failed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('request logs', () => {
  it('never contain an API token passed in the URL', async () => {
    const { redactUrl } = await import('../src/http/server.js');
    expect(redactUrl('/api/realtime?token=ot_secret&since=4')).toBe('/api/realtime?token=[redacted]&since=4');
    expect(redactUrl('/api/realtime?since=4&token=ot_secret')).toBe('/api/realtime?since=4&token=[redacted]');
    expect(redactUrl('/api/conversations?tokens=1')).toBe('/api/conversations?tokens=1');
  });
});
