import { z } from 'zod';
import {
  type AccountsContext,
  AVAILABILITY_REQUESTS,
  authenticate,
  changePassword,
  confirmEmailVerification,
  confirmPasswordReset,
  createSession,
  endSession,
  MAX_NAME,
  MAX_SIGNATURE,
  registerCustomer,
  requestEmailVerification,
  requestPasswordReset,
  type User,
  updateProfile,
} from '../../accounts/index.js';
import { DomainError } from '../../errors.js';
import { normalizeEmail } from '../../inbox/actors.js';
import { MAX_EMAIL } from '../../limits.js';
import { presentSelf } from '../../present/presenters.js';
import { UserJson } from '../../present/schemas.js';
import { clearSessionCookie, requireUser, SESSION_COOKIE, setSessionCookie } from '../auth.js';
import { errorBody, unauthorized } from '../errors.js';
import { SlidingWindowLimiter } from '../rate-limiter.js';
import { defineRoutes } from '../routing.js';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const Credentials = z.strictObject({ email: z.string().min(1).max(MAX_EMAIL), password: z.string().min(1).max(1024) });
const SignedIn = z.object({ user: UserJson, csrfToken: z.string().describe('send back in the x-csrf-token header on every write') });
const errors = { 400: errorBody, 401: errorBody, 409: errorBody, 429: errorBody };

export type AuthRouteOptions = {
  accounts: AccountsContext;
  secureCookies: boolean;
  /** Failed logins allowed per account and per client address in a window. */
  limits?: { perAccount: SlidingWindowLimiter; perAddress: SlidingWindowLimiter };
  /** Reset and confirmation mails asked for per address and per client address: the forms must not mail-bomb anyone. */
  resetLimits?: { perEmail: SlidingWindowLimiter; perAddress: SlidingWindowLimiter };
  /** Sign-ups allowed per client address and per email address in an hour (each mails the address). */
  signup?: SignupLimits;
};

export type SignupLimits = { perIp: number; perEmail: number };
export const DEFAULT_SIGNUP_LIMITS: SignupLimits = { perIp: 10, perEmail: 3 };
const SIGNUP_WINDOW_MS = 60 * 60_000;

const defaultLimits = () => ({ perAccount: new SlidingWindowLimiter(10, 15 * 60_000), perAddress: new SlidingWindowLimiter(50, 15 * 60_000) });
const RESET_REFUSAL = 'Too many mails asked for; wait an hour and try again';
const defaultResetLimits = () => ({
  perEmail: new SlidingWindowLimiter(3, 60 * 60_000, Date.now, RESET_REFUSAL),
  perAddress: new SlidingWindowLimiter(30, 10 * 60_000, Date.now, RESET_REFUSAL),
});
const Token = z.string().min(1).max(256).describe('the token from the mailed link');
// One answer for every refused sign-in: an unconfirmed account looks like a wrong password,
// so signing up and then in cannot tell whether an address already had an account.
const SIGN_IN_REFUSAL = 'Wrong email or password. Signed up but not confirmed yet? Open the link we mailed you, or use "Forgot your password?"';

export const authRoutes = defineRoutes<AuthRouteOptions>(
  async (app, { accounts, secureCookies, limits = defaultLimits(), resetLimits = defaultResetLimits(), signup = DEFAULT_SIGNUP_LIMITS }) => {
    const signupRefusal = 'Too many sign-ups from here or for this address; wait an hour and try again';
    const signupPerIp = new SlidingWindowLimiter(signup.perIp, SIGNUP_WINDOW_MS, Date.now, signupRefusal);
    const signupPerEmail = new SlidingWindowLimiter(signup.perEmail, SIGNUP_WINDOW_MS, Date.now, signupRefusal);

    async function signIn(user: User, reply: Parameters<typeof setSessionCookie>[0]) {
      const session = await createSession(accounts, user.id, SESSION_TTL_MS);
      setSessionCookie(reply, session.token, session.expiresAt, secureCookies);
      return { user: presentSelf(user, accounts.clock()), csrfToken: session.csrfToken };
    }

    app.post('/api/auth/login', { schema: { tags: ['auth'], body: Credentials, response: { 200: SignedIn, ...errors } } }, async (request, reply) => {
      const account = request.body.email.trim().toLowerCase();
      limits.perAccount.check(account);
      limits.perAddress.check(request.ip);
      const user = await authenticate(accounts, request.body.email, request.body.password);
      if (!user) {
        limits.perAccount.fail(account);
        limits.perAddress.fail(request.ip);
        throw unauthorized(SIGN_IN_REFUSAL);
      }
      // Only the account's count resets: one valid login must not reset an address guessing at others.
      limits.perAccount.succeed(account);
      return signIn(user, reply);
    });

    // Answers the same whether or not the address has an account, and signs nobody in: the
    // account works once its address is confirmed (POST /api/auth/verify-email).
    app.post(
      '/api/auth/register',
      {
        schema: {
          tags: ['auth'],
          summary: 'Signs up a customer: mails the address a link to confirm it',
          description:
            'Always 202 with no body, and no session: the account signs in once the mailed link is confirmed with its password. ' +
            'An address that already has an account is left unchanged; its owner is mailed a link to set a new password instead. ' +
            `At most ${signup.perIp} sign-ups per hour from one client address and ${signup.perEmail} per hour for one email address (429 beyond).`,
          body: z.strictObject({ name: z.string().min(1).max(MAX_NAME), email: z.string().min(3).max(MAX_EMAIL), password: z.string().min(8).max(1024) }),
          response: { 202: z.null(), 400: errorBody, 429: errorBody },
        },
      },
      async (request, reply) => {
        signupPerIp.take(request.ip);
        signupPerEmail.take(normalizeEmail(request.body.email));
        await registerCustomer(accounts, request.body);
        return reply.code(202).send(null);
      },
    );

    app.post('/api/auth/logout', { schema: { tags: ['auth'], response: { 204: z.null(), ...errors } } }, async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await endSession(accounts, token);
      clearSessionCookie(reply, secureCookies);
      return reply.code(204).send(null);
    });

    app.get(
      '/api/auth/me',
      {
        schema: { tags: ['auth'], response: { 200: z.object({ user: UserJson, csrfToken: z.string().nullable() }), 401: errorBody } },
      },
      async (request) => {
        const user = requireUser(request);
        return { user: presentSelf(user, accounts.clock()), csrfToken: request.session?.csrfToken ?? null };
      },
    );

    app.patch(
      '/api/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'Changes the signed-in user’s own name, email signature or availability',
          description:
            'The name is shown beside the user’s messages, to customers too (one line, invisible characters removed). ' +
            'The signature (team members only, else 403; plain text, up to ' +
            MAX_SIGNATURE +
            ' characters; null or blank removes it) is appended to their replies mailed to customers. ' +
            'The availability (team members only, else 403): `busy` or `offline` by hand, or `auto` (also `online`) to be online while the inbox is open. ' +
            'The address cannot be changed here: that would need a confirmation mailed to the new one.',
          body: z
            .strictObject({
              name: z.string().min(1).max(MAX_NAME).optional(),
              signature: z.string().max(MAX_SIGNATURE).nullable().optional(),
              availability: z.enum(AVAILABILITY_REQUESTS).optional(),
            })
            .refine(
              (body) => body.name !== undefined || body.signature !== undefined || body.availability !== undefined,
              'give at least one of name, signature, availability',
            ),
          response: { 200: z.object({ user: UserJson }), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (request) => {
        const user = requireUser(request);
        return { user: presentSelf(await updateProfile(accounts, user.id, request.body), accounts.clock()) };
      },
    );

    // A new password signs the user out everywhere, this browser included; it gets a fresh session.
    app.post(
      '/api/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Changes the signed-in user’s password',
          description: 'Ends every session and API token of the user (integrations need a new token); this browser is signed in with a new session.',
          body: z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(8).max(1024) }),
          response: { 200: SignedIn, ...errors },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        await changePassword(accounts, user.id, request.body.currentPassword, request.body.newPassword);
        return signIn(user, reply);
      },
    );

    // Answers the same whether or not the address has an account, so it tells nobody who does.
    app.post(
      '/api/auth/password-reset',
      {
        schema: {
          tags: ['auth'],
          summary: 'Mails a link to set a new password (valid for one hour, once)',
          description:
            'Always 202. Also how a customer who wrote in by mail or the contact form sets a first password. The link goes to `/portal/reset?token=…` for a customer and to the inbox app’s `/reset-password?token=…` for a team member.',
          body: z.strictObject({ email: z.string().min(1).max(MAX_EMAIL) }),
          response: { 202: z.null(), 400: errorBody, 429: errorBody },
        },
      },
      async (request, reply) => {
        resetLimits.perAddress.take(request.ip);
        resetLimits.perEmail.take(request.body.email.trim().toLowerCase());
        await requestPasswordReset(accounts, request.body.email);
        return reply.code(202).send(null);
      },
    );

    // The link proves the mailbox: the address counts as confirmed, every other session and API token ends, this browser is signed in.
    app.post(
      '/api/auth/password-reset/confirm',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sets a new password from a mailed reset link',
          description: 'Confirms the address too. Ends every session and API token of the user; this browser is signed in with a new session.',
          body: z.strictObject({ token: Token, password: z.string().min(8).max(1024) }),
          response: { 200: SignedIn, ...errors },
        },
      },
      async (request, reply) => {
        const user = await confirmPasswordReset(accounts, request.body.token, request.body.password);
        return signIn(user, reply);
      },
    );

    app.post(
      '/api/auth/verify-email',
      {
        schema: {
          tags: ['auth'],
          summary: 'Confirms the address a verification link was mailed to, with the account’s password',
          description:
            'The token proves the mailbox, the password the account (403 with `field: password` when wrong; the link stays usable). ' +
            'From then on the customer sees their conversations from every channel. Every session and API token the account had ends; ' +
            'this browser is signed in with a new session. Someone who has the link but did not sign up sets a password with `POST /api/auth/password-reset` instead.',
          body: z.strictObject({ token: Token, password: z.string().min(1).max(1024) }),
          response: { 200: SignedIn, 400: errorBody, 403: errorBody, 429: errorBody },
        },
      },
      async (request, reply) => {
        limits.perAddress.check(request.ip);
        let user: User;
        try {
          user = await confirmEmailVerification(accounts, request.body.token, request.body.password);
        } catch (error) {
          // A wrong password here is a guess like a failed login.
          if (error instanceof DomainError && error.field === 'password') limits.perAddress.fail(request.ip);
          throw error;
        }
        return signIn(user, reply);
      },
    );

    app.post(
      '/api/auth/verify-email/resend',
      {
        schema: { tags: ['auth'], summary: 'Mails the signed-in user a new confirmation link', response: { 202: z.null(), ...errors } },
      },
      async (request, reply) => {
        const user = requireUser(request);
        resetLimits.perEmail.take(user.email);
        await requestEmailVerification(accounts, user.id);
        return reply.code(202).send(null);
      },
    );
  },
);
