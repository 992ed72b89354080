import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from './run.js';

// The chat widget as a website embeds it, for browser tests: the bundle built from widget/
// sources, and a host site on another origin whose pages carry the script tag.

/** Builds dist/widget/widget.js beside itself and swaps it in (a running server may be serving it). */
export async function buildWidget(): Promise<void> {
  const temporary = path.join(ROOT, `dist/widget.building-${process.pid}-${randomBytes(4).toString('hex')}`);
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'widget/vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: temporary, emptyOutDir: true } });
  const target = path.join(ROOT, 'dist/widget');
  if (existsSync(target)) renameSync(path.join(temporary, 'widget.js'), path.join(target, 'widget.js'));
  else renameSync(temporary, target);
  rmSync(temporary, { recursive: true, force: true });
}

export type HostSite = { url: string; close(): Promise<void> };

/**
 * A shop on another origin. `/?name=…&email=…` embeds the widget with those contact
 * details (unsigned, as typed into a form); `&user=…` signs that user id with `secret`, as
 * the shop's server would for its signed-in user.
 */
export async function serveHostSite(server: string, secret?: string): Promise<HostSite> {
  const site: Server = createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://host').searchParams;
    const attribute = (name: string, value: string | null) => (value ? ` data-${name}="${value.replace(/[^\w@.+-]/g, '')}"` : '');
    const user = query.get('user');
    const hash = user && secret ? createHmac('sha256', secret).update(user).digest('hex') : null;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html><head><title>A shop</title></head><body><h1>A shop</h1>
<script src="${server}/widget.js" data-onethread async${attribute('user-id', user)}${attribute('user-hash', hash)}${attribute('user-email', query.get('email'))}${attribute('user-name', query.get('name'))}></script></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => site.close(() => resolve())),
  };
}
