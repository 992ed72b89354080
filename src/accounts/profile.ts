import { DomainError, invalid, notFound } from '../errors.js';
import { requestDrain } from '../inbox/assignment/request.js';
import type { UserRow } from '../store/schema.js';
import { transact } from '../store/transaction.js';
import { findUserById, type UserPatch, updateUserRow } from '../store/users.js';
import { type AvailabilityRequest, availabilityChoiceOf, forgetTeamOnline } from './availability.js';
import type { AccountsContext } from './context.js';
import { toUser, type User } from './records.js';
import { validName } from './users.js';

// What a signed-in user changes about themselves. The address is not among it: a new one
// would need a link mailed to it first, or an account could be pointed at someone else's mailbox.

export const MAX_SIGNATURE = 2000;

/** Omitted fields stay as they are; a signature of null or only whitespace removes it. */
export type ProfileChange = { name?: string; signature?: string | null; availability?: AvailabilityRequest };

// Control and format characters (bidi overrides, zero-width) but not the line break: the
// signature goes into mail under the agent's name, where hidden text must not ride along.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** Plain text of a few lines: line ends made `\n`, tabs spaces, trailing blanks and blank edges gone. */
export function cleanSignature(text: string | null): string | null {
  if (text === null) return null;
  if (typeof text !== 'string') throw invalid('signature', 'signature must be text');
  const clean = text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .split('\n')
    .map((line) => line.replace(HIDDEN, '').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
  if (clean.length > MAX_SIGNATURE) throw invalid('signature', `signature must be at most ${MAX_SIGNATURE} characters`);
  return clean.trim() ? clean : null;
}

/**
 * Changes the user's own name and, for a team member, the signature their mailed replies
 * end with. Customers have no signature: they send no mail through us.
 */
export async function updateProfile(ctx: AccountsContext, userId: number, change: ProfileChange): Promise<User> {
  const name = change.name === undefined ? undefined : validName(change.name);
  const signature = change.signature === undefined ? undefined : cleanSignature(change.signature);
  const availability = change.availability === undefined ? undefined : availabilityChoiceOf(change.availability);
  const user = await transact(ctx.store, async (tx) => {
    const row = await findUserById(tx, userId);
    if (!row || row.deactivatedAt !== null) throw notFound('user');
    if (signature !== undefined && row.role === 'customer') throw new DomainError('forbidden', 'Only team members have an email signature', 'signature');
    if (availability !== undefined && row.role === 'customer') throw new DomainError('forbidden', 'Only team members have an availability', 'availability');
    const patch = changedColumns(row, name, signature, availability);
    if (Object.keys(patch).length > 0) await updateUserRow(tx, userId, patch, ctx.clock());
    // Back to "online while my inbox is open": what waits in a queue may be theirs now.
    if (patch.availabilityChoice === null) await requestDrain(tx, ctx.clock());
    return toUser((await findUserById(tx, userId))!);
  });
  if (availability !== undefined) forgetTeamOnline(ctx.store);
  return user;
}

function changedColumns(
  row: UserRow,
  name: string | undefined,
  signature: string | null | undefined,
  availability: UserRow['availabilityChoice'] | undefined,
): UserPatch {
  const patch: UserPatch = {};
  if (name !== undefined && name !== row.name) patch.name = name;
  if (signature !== undefined && signature !== (row.signature ?? null)) patch.signature = signature;
  if (availability !== undefined && availability !== (row.availabilityChoice ?? null)) patch.availabilityChoice = availability;
  return patch;
}
