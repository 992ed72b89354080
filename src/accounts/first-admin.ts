import { DomainError } from '../inbox/errors.js';
import { findActiveAdmin } from '../store/users.js';
import type { AccountsContext } from './context.js';
import { toUser, type User } from './records.js';
import { randomToken } from './secrets.js';
import { createUser } from './users.js';

// A fresh install must be usable without a database console: if no admin exists at
// start, one is created. Existing admins are never touched, so the variables do not
// reset a password on restart.

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

export type FirstAdminOptions = {
  email?: string | null;
  password?: string | null;
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
    const user = await createUser(ctx, { name: 'Admin', email, role: 'admin', password: options.password || generated });
    options.log(generated ? generatedPasswordMessage(user.email, generated) : `Onethread: created the first admin account, ${user.email} (password from ONETHREAD_ADMIN_PASSWORD).`);
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

function generatedPasswordMessage(email: string, password: string): string {
  const rule = '='.repeat(72);
  return [
    rule,
    'Onethread created the first admin account:',
    '',
    `    email:     ${email}`,
    `    password:  ${password}`,
    '',
    'This password is shown only this once. Sign in and change it, or set',
    'ONETHREAD_ADMIN_EMAIL and ONETHREAD_ADMIN_PASSWORD before the first start.',
    rule,
  ].join('\n');
}
