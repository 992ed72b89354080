import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ZodApp } from '../src/http/server.js';
import { registerWebApp } from '../src/http/web-app.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

// How the server serves the customer portal's page beside the admin app, without a
// browser: every /portal path and /contact get the portal's page; only /contact may be framed.

let store: Store;
let app: ZodApp;
let root: string;

beforeAll(async () => {
  store = await makeTestStore();
  root = mkdtempSync(path.join(os.tmpdir(), 'onethread-portal-web-'));
  mkdirSync(path.join(root, 'portal'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>admin</title>');
  writeFileSync(path.join(root, 'portal/index.html'), '<!doctype html><title>portal</title>');
  app = buildServer({ store });
  await registerWebApp(app, { root });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { host: 'help.example.test' } });

describe('serving the portal', () => {
  it.each(['/portal', '/portal/', '/portal/conversations/CONV-000001', '/portal/reset?token=abc', '/portal/index.html'])(
    'answers %s with the portal page, not framable, under the CSP',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<title>portal</title>');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['x-frame-options']).toBe('DENY');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    },
  );

  it.each(['/contact', '/contact?embed=1'])('answers %s with the portal page that any site may frame', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>portal</title>');
    expect(response.headers['x-frame-options']).toBeUndefined();
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain('frame-ancestors *');
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
  });

  it('keeps the admin app, unframable, at every other path', async () => {
    for (const url of ['/', '/portals', '/contacts', '/inbox/open']) {
      const response = await get(url);
      expect(response.body, url).toContain('<title>admin</title>');
      expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });
});
