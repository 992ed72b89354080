import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ZodApp } from '../src/http/server.js';
import { registerWebApp } from '../src/http/web-app.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

// How the server serves the built web app, without a browser: files, the page for any
// app path, caching, the policy, and the API's own 404s untouched.

let store: Store;
let app: ZodApp;
let bare: ZodApp;
let root: string;

beforeAll(async () => {
  store = await makeTestStore();
  root = mkdtempSync(path.join(os.tmpdir(), 'onethread-web-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title><script type="module" src="/assets/app-abc123.js"></script>');
  writeFileSync(path.join(root, 'assets/app-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  app = buildServer({ store });
  await registerWebApp(app, { root });
  await app.ready();
  bare = buildServer({ store });
  await registerWebApp(bare, { root: path.join(root, 'missing') });
  await bare.ready();
});

afterAll(async () => {
  await app?.close();
  await bare?.close();
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string, on = app) => on.inject({ method: 'GET', url, headers: { host: 'inbox.example.test' } });

describe('serving the web app', () => {
  it.each(['/', '/inbox/open', '/inbox/channel/email?conversation=12', '/team'])('answers %s with the app page, not cached, under the CSP', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<title>app</title>');
    expect(response.headers['cache-control']).toBe('no-cache');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self' ws://inbox.example.test wss://inbox.example.test");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets as immutable and other files as revalidated', async () => {
    const asset = await get('/assets/app-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await get('/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a missing asset 404, never the page', async () => {
    const response = await get('/assets/gone-000.js');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it.each(['/api/nope', '/api/conversations/1/nothing', '/widget.js'])('leaves %s to the API and later routes: JSON 404', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('never serves a file outside its folder', async () => {
    for (const url of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json']) {
      const response = await get(url);
      expect(response.body).not.toContain('"name"');
    }
  });

  it('says how to build the app when it has not been built', async () => {
    const response = await get('/', bare);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('npm run build');
    const api = await get('/api/health', bare);
    expect(api.json()).toEqual({ ok: true });
  });

  it('does not let a forged Host header into the policy', async () => {
    const response = await app.inject({ method: 'GET', url: '/', headers: { host: "evil.test; script-src 'unsafe-inline'" } });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).not.toContain('evil');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self';");
  });
});
