import { DomainError } from '../errors.js';
import { findActiveAdmin } from '../store/users.js';
import type { AccountsContext } from './context.js';
import { toUser, type User } from './records.js';
import { randomToken } from './secrets.js';
import { createUser } from './users.js';

// A fresh install must be usable without a database console: if no admin exists at
// start, one is created. Existing admins are never touched, so the variables do not
// reset a password on restart.

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';
/** The first admin's name when none is configured; customers see it on replies until it is changed on the profile page. */
export const DEFAULT_ADMIN_NAME = 'Admin';

export type FirstAdminOptions = {
  email?: string | null;
  password?: string | null;
  /** ONETHREAD_ADMIN_NAME; unset: "Admin", and the message asks for a real one. */
  name?: string | null;
  /** Where to sign in (PUBLIC_URL), named in the message. */
  url?: string;
  /** Receives the one-time message; the generated password is printed nowhere else. */
  log: (message: string) => void;
};

export type FirstAdminResult = { created: true; user: User } | { created: false; user: User | null };

export async function ensureFirstAdmin(ctx: AccountsContext, options: FirstAdminOptions): Promise<FirstAdminResult> {
  const existing = await findActiveAdmin(ctx.store.db);
  if (existing) return { created: false, user: toUser(existing) };

  const email = options.email || DEFAULT_ADMIN_EMAIL;
  const generated = options.password ? null : randomToken(18);
  try {
    const user = await createUser(ctx, { name: options.name || DEFAULT_ADMIN_NAME, email, role: 'admin', password: options.password || generated });
    options.log(firstAdminMessage(user, generated, options.url));
    return { created: true, user };
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
    // Another instance starting at the same moment created it first: nothing to do.
    const winner = await findActiveAdmin(ctx.store.db);
    if (winner) return { created: false, user: toUser(winner) };
    options.log(
      `Onethread: no admin account exists, and ${email} already belongs to a non-admin account, so none was created.\n` +
        'Create one with: npx onethread user create --role admin --email … --name … --password …',
    );
    return { created: false, user: null };
  }
}

// Everything in it can be done from the profile page (your name in the sidebar): the
// password and the name customers see on replies.
function firstAdminMessage(user: User, generated: string | null, url: string | undefined): string {
  const signIn = `Sign in${url ? ` at ${url}` : ''}`;
  const unnamed = user.name === DEFAULT_ADMIN_NAME;
  if (!generated) {
    const profile = unnamed
      ? `, then set your name on your profile (your name in the sidebar): customers see it on your replies, and it is "${DEFAULT_ADMIN_NAME}" now`
      : '';
    return `Onethread: created the first admin account, ${user.email} (password from ONETHREAD_ADMIN_PASSWORD). ${signIn}${profile}.`;
  }
  const rule = '='.repeat(72);
  return [
    rule,
    'Onethread created the first admin account:',
    '',
    `    email:     ${user.email}`,
    `    password:  ${generated}`,
    '',
    `This password is shown only this once. ${signIn}, then open your`,
    `profile (your name at the bottom of the sidebar) to change the password${unnamed ? ' and' : '.'}`,
    ...(unnamed ? [`to set your name: customers see it on your replies (it is "${DEFAULT_ADMIN_NAME}" now).`] : []),
    'Or set ONETHREAD_ADMIN_EMAIL, ONETHREAD_ADMIN_PASSWORD and ONETHREAD_ADMIN_NAME',
    'before the first start.',
    rule,
  ].join('\n');
}
