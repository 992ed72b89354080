import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// A form refused part-way (a file in the wrong field, a NUL in a field) is answered once the
// client has sent it all, not while it is still sending: closing on an upload in flight can
// reset the connection before the client reads the 4xx, which Node 24's fetch reports as
// EPIPE. A raw socket sends the form in two halves to see when the answer comes.

let server: TestApp;
let agent: Person;
let port: number;

beforeAll(async () => {
  server = await startTestApp({ uploads: true });
  port = Number(new URL(server.http).port);
  agent = await person(server, 'agent');
});
afterAll(async () => {
  await server?.close();
});

const BOUNDARY = 'onethread-boundary-7d1f';
const part = (name: string, value: string, filename?: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: text/plain` : ''}\r\n\r\n${value}\r\n`;

/** Sends `first`, waits, then `rest`; answers the raw response and whether it came before `rest` was sent. */
async function sendInTwoHalves(first: string, rest: string): Promise<{ response: string; answeredEarly: boolean; reset: boolean }> {
  const body = Buffer.from(first + rest);
  const head = `POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${agent.token}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const socket = net.connect(port, '127.0.0.1');
  let response = '';
  let reset = false;
  socket.on('data', (chunk) => (response += chunk.toString()));
  socket.on('error', () => (reset = true));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(head + first);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const answeredEarly = response.length > 0;
  if (!socket.destroyed) socket.write(rest);
  await closed;
  return { response, answeredEarly, reset };
}

describe('a form refused part-way', () => {
  it.each([
    [
      'a file in a field other than files',
      part('subject', 'Hi') + part('upload', 'a'.repeat(1000), 'a.txt'),
      part('body', 'b') + `--${BOUNDARY}--\r\n`,
      'body.upload',
    ],
    [
      'a NUL in a field before a file',
      part('subject', 'S\u0000') + part('body', 'b'),
      part('files', 'a'.repeat(1000), 'a.txt') + `--${BOUNDARY}--\r\n`,
      'body.subject',
    ],
  ])('%s: answered 400 once the client has sent the whole form, and the connection ends cleanly', async (_what, first, rest, field) => {
    const { response, answeredEarly, reset } = await sendInTwoHalves(first, rest);
    expect(answeredEarly).toBe(false);
    expect(reset).toBe(false);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'validation_failed', field } });
  });

  it('a client that never sends the rest still gets its answer within seconds, and the connection is closed', async () => {
    const first = part('subject', 'Hi') + part('upload', 'a'.repeat(1000), 'a.txt');
    const body = Buffer.from(first + 'x'.repeat(10_000));
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const started = Date.now();
    socket.write(
      `POST /api/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${agent.token}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n${first}`,
    );
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
  });
});
