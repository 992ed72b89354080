import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodApp } from './routing.js';

// The admin inbox (web/, built by Vite into dist/web) served from `/`: files as they are,
// any other page path answers index.html so a link or a reload lands in the same place
// (the app routes in the browser). The customer portal (web/portal, a second, smaller
// entry of the same build) answers every path under /portal and /contact the same way
// with portal/index.html. /api stays the API's: an unknown /api path is the API's JSON
// 404, never a page.

// src/http and dist/http both sit two levels below the package root.
export const WEB_ROOT = path.resolve(import.meta.dirname, '../../dist/web');

/** Paths the admin app never answers: the API and the chat widget (a later issue). */
const RESERVED = [/^\/api(\/|$)/, /^\/widget\.js$/];
const PORTAL = /^\/portal(\/|$)/;
/** The contact form is the one page other sites may frame (the embed snippet). */
const CONTACT = /^\/contact(\/|$)/;
const PORTAL_PAGE = 'portal/index.html';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Only what a Host header may hold, so a forged one cannot inject into the policy. */
const SAFE_HOST = /^[A-Za-z0-9.[\]:-]{1,255}$/;

/**
 * The app's policy: its own scripts only, no inline script anywhere. Inline styles are
 * allowed because the email iframe (srcdoc) inherits this policy and emails are styled
 * inline; remote images likewise, since the iframe's own stricter policy keeps them out
 * until the agent asks for them (the app itself never renders remote images).
 */
export function contentSecurityPolicy(host: string | undefined, frameAncestors = "'none'"): string {
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "frame-src 'self'",
    "child-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Onethread</title></head>
<body><h1>Onethread</h1><p>The web app has not been built. Run <code>npm run build</code>, then reload.</p>
<p>The API is up: <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export type WebAppOptions = { root?: string };

/** Serves the built admin app. Register after the API so its routes stay first in line. */
export async function registerWebApp(app: ZodApp, options: WebAppOptions = {}): Promise<void> {
  const root = options.root ?? WEB_ROOT;
  // serve: false — the one route below decides between file, index.html and 404.
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false, index: false, dotfiles: 'deny' });

  /** A page of one of the apps; only the contact form may be framed, by any site. */
  async function sendPage(request: FastifyRequest, reply: FastifyReply, page: string, frameable = false) {
    reply.header('cache-control', 'no-cache');
    reply.header('content-security-policy', contentSecurityPolicy(request.headers.host, frameable ? '*' : "'none'"));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!frameable) reply.header('x-frame-options', 'DENY');
    if (!(await isFile(path.join(root, page)))) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').sendFile(page);
  }
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => sendPage(request, reply, 'index.html');

  // A wildcard route, not a not-found handler: routes added later for exact paths win
  // over it, and the API keeps its own not-found answer.
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (RESERVED.some((pattern) => pattern.test(pathname))) return reply.callNotFound();
    if (PORTAL.test(pathname)) return sendPage(request, reply, PORTAL_PAGE);
    if (CONTACT.test(pathname)) return sendPage(request, reply, PORTAL_PAGE, true);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return reply.callNotFound();
    }
    const file = path.join(root, path.normalize(decoded));
    if (decoded !== '/' && file.startsWith(root + path.sep) && !decoded.includes('\0') && (await isFile(file))) {
      if (path.basename(file) === 'index.html') return sendIndex(request, reply);
      reply.header('cache-control', decoded.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
      return reply.sendFile(path.relative(root, file));
    }
    // A missing asset is a 404, not the page: a stale tab must not parse HTML as script.
    if (decoded.startsWith('/assets/')) return reply.callNotFound();
    return sendIndex(request, reply);
  });
}
