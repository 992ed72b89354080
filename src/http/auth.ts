import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type AccountsContext, csrfTokenMatches, findSession, findUserByApiToken, type Session, type User } from '../accounts/index.js';
import { DomainError } from '../errors.js';
import { isTeam, type Viewer } from '../inbox/policies.js';
import { unauthorized } from './errors.js';

// Who is asking: a session cookie (browsers) or a bearer API token (integrations), with
// the same permissions as the user behind either. Cookie-authenticated writes must also
// carry the session's CSRF token in a header, which another site cannot read or send.

export const SESSION_COOKIE = 'onethread_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WIDGET_PREFIX = '/api/widget/';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    session: Session | null;
  }
}

export type AuthOptions = { accounts: AccountsContext; secureCookies: boolean };

export const authentication = fp<AuthOptions>(async (app, { accounts }) => {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    // The chat widget's routes know visitors by their own token and never by cookie: an
    // agent's session cookie, sent when the widget runs on this same site, is no one there.
    if (request.url.startsWith(WIDGET_PREFIX)) return;
    // A survey link's page (issue 19) knows the customer by the link's token alone: a session
    // cookie there is no one, and its form cannot carry the CSRF header.
    if (request.url.startsWith('/csat/')) return;
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const user = await findUserByApiToken(accounts, authorization.slice('Bearer '.length).trim());
      if (!user) throw unauthorized('The API token is not valid');
      request.user = user;
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const found = await findSession(accounts, token);
    if (!found) return;
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(found.session, header(request.headers[CSRF_HEADER]))) {
      throw new DomainError('forbidden', `Missing or wrong ${CSRF_HEADER} header; send the csrfToken from /api/auth/me`);
    }
    request.user = found.user;
    request.session = found.session;
  });
});

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

export function requireUser(request: FastifyRequest): User & Viewer {
  if (!request.user) throw unauthorized();
  return request.user;
}

export function requireTeamMember(request: FastifyRequest): User & Viewer {
  const user = requireUser(request);
  if (!isTeam(user)) throw new DomainError('forbidden', 'Only the team can do this');
  return user;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: number, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: new Date(expiresAt) });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
