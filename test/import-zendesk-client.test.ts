import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZendeskClient } from '../src/import/zendesk/client.js';

// The Zendesk client's manners with the account's API token (docs/security.md "Imports are
// the operator's"): it goes to the account's own host and nowhere else — attachments may be
// served from another host, which must not see it. Two real servers on loopback.

type Recorder = { server: Server; url: string; seen: IncomingHttpHeaders[] };

async function recorder(): Promise<Recorder> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let account: Recorder;
let files: Recorder;

beforeAll(async () => {
  [account, files] = await Promise.all([recorder(), recorder()]);
});
afterAll(async () => {
  for (const r of [account, files]) await new Promise((resolve) => r.server.close(resolve));
});

describe('the Zendesk client', () => {
  it('sends the API token to the account’s host only, never to a host serving attachments', async () => {
    const client = new ZendeskClient({ url: account.url, email: 'admin@acme.test', token: 'secret-token' });
    await client.json('/api/v2/users.json');
    await client.bytes(`${files.url}/attachments/token/invoice.pdf`);
    await client.bytes(`${account.url}/attachments/token/screen.png`);
    const expected = `Basic ${Buffer.from('admin@acme.test/token:secret-token').toString('base64')}`;
    expect(account.seen.map((h) => h.authorization)).toEqual([expected, expected]);
    expect(files.seen).toHaveLength(1);
    expect(files.seen[0]!.authorization).toBeUndefined();
  });
});
