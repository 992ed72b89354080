import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

// Closing the server while a streamed response (an attachment download) is finishing: the
// client already has every byte, the server has not ended the response yet, so the close's
// sweep of idle sockets passes it by. That socket must still go once the response ends,
// not hold shutdown up until the keep-alive timeout (72 s).

let store: Store;
beforeAll(async () => {
  store = await makeTestStore();
});
afterAll(async () => {
  await store?.close();
});

describe('closing the server', () => {
  it('does not wait for the keep-alive timeout of a socket whose streamed response ended during close', async () => {
    const app = buildServer({ store });
    const body = Buffer.from('all of the file');
    app.get('/stream', async (_request, reply) => {
      // Every byte at once, the end a moment later: the client is done before the server.
      const stream = new Readable({ read() {} });
      stream.push(body);
      setTimeout(() => stream.push(null), 300);
      return reply.header('content-length', body.length).type('application/octet-stream').send(stream);
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${base}/stream`);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(5000);
  }, 90_000);
});
