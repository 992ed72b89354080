import { z } from 'zod';
import {
  authenticate,
  changePassword,
  confirmEmailVerification,
  confirmPasswordReset,
  createSession,
  endSession,
  registerCustomer,
  requestEmailVerification,
  requestPasswordReset,
  type AccountsContext,
  type User,
} from '../../accounts/index.js';
import { clearSessionCookie, requireUser, SESSION_COOKIE, setSessionCookie } from '../auth.js';
import { errorBody, unauthorized } from '../errors.js';
import { LoginLimiter } from '../login-limiter.js';
import { presentSelf } from '../presenters.js';
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
  /** Reset and confirmation mails asked for per address and per client address: the forms must not mail-bomb anyone. */
  resetLimits?: { perEmail: LoginLimiter; perAddress: LoginLimiter };
};

const defaultLimits = () => ({ perAccount: new LoginLimiter(10, 15 * 60_000), perAddress: new LoginLimiter(50, 15 * 60_000) });
const RESET_REFUSAL = 'Too many mails asked for; wait an hour and try again';
const defaultResetLimits = () => ({
  perEmail: new LoginLimiter(3, 60 * 60_000, Date.now, RESET_REFUSAL),
  perAddress: new LoginLimiter(30, 10 * 60_000, Date.now, RESET_REFUSAL),
});
const Token = z.string().min(1).max(256).describe('the token from the mailed link');

export const authRoutes = defineRoutes<AuthRouteOptions>(async (app, { accounts, secureCookies, limits = defaultLimits(), resetLimits = defaultResetLimits() }) => {
  async function signIn(user: User, reply: Parameters<typeof setSessionCookie>[0]) {
    const session = await createSession(accounts, user.id, SESSION_TTL_MS);
    setSessionCookie(reply, session.token, session.expiresAt, secureCookies);
    return { user: presentSelf(user), csrfToken: session.csrfToken };
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
    return { user: presentSelf(user), csrfToken: request.session?.csrfToken ?? null };
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

  // Answers the same whether or not the address has an account, so it tells nobody who does.
  app.post('/api/auth/password-reset', {
    schema: {
      tags: ['auth'],
      summary: 'Mails a link to set a new password (valid for one hour, once)',
      description: 'Always 202. Also how a customer who wrote in by mail or the contact form sets a first password. The link goes to `/portal/reset?token=…`.',
      body: z.strictObject({ email: z.string().min(1).max(254) }),
      response: { 202: z.null(), 400: errorBody, 429: errorBody },
    },
  }, async (request, reply) => {
    resetLimits.perAddress.take(request.ip);
    resetLimits.perEmail.take(request.body.email.trim().toLowerCase());
    await requestPasswordReset(accounts, request.body.email);
    return reply.code(202).send(null);
  });

  // The link proves the mailbox: the address counts as confirmed, every other session ends, this browser is signed in.
  app.post('/api/auth/password-reset/confirm', {
    schema: {
      tags: ['auth'],
      body: z.strictObject({ token: Token, password: z.string().min(8).max(1024) }),
      response: { 200: SignedIn, ...errors },
    },
  }, async (request, reply) => {
    const user = await confirmPasswordReset(accounts, request.body.token, request.body.password);
    return signIn(user, reply);
  });

  app.post('/api/auth/verify-email', {
    schema: {
      tags: ['auth'],
      summary: 'Confirms the address a verification link was mailed to',
      description: 'Needs no session: the token is the proof. From then on the customer sees their conversations from every channel.',
      body: z.strictObject({ token: Token }),
      response: { 200: z.object({ user: UserJson }), ...errors },
    },
  }, async (request) => {
    return { user: presentSelf(await confirmEmailVerification(accounts, request.body.token)) };
  });

  app.post('/api/auth/verify-email/resend', {
    schema: { tags: ['auth'], summary: 'Mails the signed-in user a new confirmation link', response: { 202: z.null(), ...errors } },
  }, async (request, reply) => {
    const user = requireUser(request);
    resetLimits.perEmail.take(user.email);
    await requestEmailVerification(accounts, user.id);
    return reply.code(202).send(null);
  });
});
