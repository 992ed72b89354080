import { z } from 'zod';
import { authenticate, changePassword, createSession, endSession, registerCustomer, type AccountsContext, type User } from '../../accounts/index.js';
import { clearSessionCookie, requireUser, SESSION_COOKIE, setSessionCookie } from '../auth.js';
import { errorBody, unauthorized } from '../errors.js';
import { LoginLimiter } from '../login-limiter.js';
import { presentUser } from '../presenters.js';
import { defineRoutes } from '../routing.js';
import { UserJson } from '../schemas.js';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const Credentials = z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) });
const SignedIn = z.object({ user: UserJson, csrfToken: z.string().describe('send back in the x-csrf-token header on every write') });
const errors = { 400: errorBody, 401: errorBody, 409: errorBody, 429: errorBody };

export type AuthRouteOptions = {
  accounts: AccountsContext;
  secureCookies: boolean;
  /** Failed logins allowed per account and per client address in a window. */
  limits?: { perAccount: LoginLimiter; perAddress: LoginLimiter };
};

const defaultLimits = () => ({ perAccount: new LoginLimiter(10, 15 * 60_000), perAddress: new LoginLimiter(50, 15 * 60_000) });

export const authRoutes = defineRoutes<AuthRouteOptions>(async (app, { accounts, secureCookies, limits = defaultLimits() }) => {
  async function signIn(user: User, reply: Parameters<typeof setSessionCookie>[0]) {
    const session = await createSession(accounts, user.id, SESSION_TTL_MS);
    setSessionCookie(reply, session.token, session.expiresAt, secureCookies);
    return { user: presentUser(user), csrfToken: session.csrfToken };
  }

  app.post('/api/auth/login', { schema: { tags: ['auth'], body: Credentials, response: { 200: SignedIn, ...errors } } }, async (request, reply) => {
    const account = request.body.email.trim().toLowerCase();
    limits.perAccount.check(account);
    limits.perAddress.check(request.ip);
    const user = await authenticate(accounts, request.body.email, request.body.password);
    if (!user) {
      limits.perAccount.fail(account);
      limits.perAddress.fail(request.ip);
      throw unauthorized('Wrong email or password');
    }
    // Only the account's count resets: one valid login must not reset an address guessing at others.
    limits.perAccount.succeed(account);
    return signIn(user, reply);
  });

  app.post('/api/auth/register', {
    schema: {
      tags: ['auth'],
      body: z.strictObject({ name: z.string().min(1).max(200), email: z.string().min(3).max(254), password: z.string().min(8).max(1024) }),
      response: { 201: SignedIn, ...errors },
    },
  }, async (request, reply) => {
    const user = await registerCustomer(accounts, request.body);
    return reply.code(201).send(await signIn(user, reply));
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 204: z.null(), ...errors } } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(accounts, token);
    clearSessionCookie(reply, secureCookies);
    return reply.code(204).send(null);
  });

  app.get('/api/auth/me', {
    schema: { tags: ['auth'], response: { 200: z.object({ user: UserJson, csrfToken: z.string().nullable() }), 401: errorBody } },
  }, async (request) => {
    const user = requireUser(request);
    return { user: presentUser(user), csrfToken: request.session?.csrfToken ?? null };
  });

  // A new password signs the user out everywhere, this browser included; it gets a fresh session.
  app.post('/api/auth/password', {
    schema: {
      tags: ['auth'],
      body: z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(8).max(1024) }),
      response: { 200: SignedIn, ...errors },
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    await changePassword(accounts, user.id, request.body.currentPassword, request.body.newPassword);
    return signIn(user, reply);
  });
});
