import { DomainError, invalid } from '../errors.js';
import type { Role, SenderType, UserRow } from '../store/schema.js';
import type { Tx } from '../store/transaction.js';
import { findOrInsertUserByEmail, findUserById } from '../store/users.js';
import type { Origin } from './context.js';
import { actsForTeam } from './policies.js';
import { singleLine } from './rules.js';

/**
 * Who does something: a signed-in user, the bot, an automation rule (by its name), or
 * Onethread itself (a channel's bookkeeping). A rule acts like the system, under its name,
 * but its events say `rule` (context.ts Origin).
 */
export type Actor = { userId: number } | { bot: string } | { rule: string } | { system: string };

/**
 * Who writes a message. `userId` is someone who signed in (a session or a token). The rest
 * are identities an unauthenticated channel asserts, which can only ever be a customer
 * (docs/security.md): an address from a From header, the contact form or the widget
 * (`customerEmail`), the customer a widget visitor was tied to earlier (`customerId`), and
 * a team address on inbound mail, which nobody verified (`unverifiedEmail`): kept as an
 * internal note under the address it claims, never as the team member's own words.
 */
export type Sender = Actor | { customerEmail: string; name?: string } | { customerId: number } | { unverifiedEmail: string; name?: string };

export type ResolvedActor = {
  id: number | null;
  kind: SenderType | 'system';
  role: Role | null;
  name: string;
  email: string | null;
  /** Where what this actor writes comes from (context.ts). */
  origin: Origin;
};

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

export function normalizeEmail(email: string, field = 'email'): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed) || trimmed.length > 254) throw invalid(field, `"${email.slice(0, 80)}" is not an email address`);
  return trimmed;
}

/** A display name, or the address's local part: never empty, never "Unknown", never a direction override. */
export function nameForCustomer(name: string | undefined, email: string): string {
  const display = singleLine(name ?? '').replace(/^["']|["']$/g, '');
  return display || email.split('@')[0]!;
}

// An address the team signs in with, claimed where nobody proved it: refused before a row is written.
const claimedTeamAddress = (field: string) =>
  new DomainError('forbidden', 'this address belongs to a team member; it cannot be claimed through a channel that does not sign people in', field);

export async function resolveActor(tx: Tx, ref: Sender, now: number): Promise<ResolvedActor> {
  if ('userId' in ref) {
    const user = await findUserById(tx, ref.userId);
    if (!user) throw invalid('sender', `user ${ref.userId} does not exist`);
    return fromUser(user);
  }
  if ('customerEmail' in ref) {
    const email = normalizeEmail(ref.customerEmail, 'sender.email');
    const user = await findOrInsertUserByEmail(tx, { name: nameForCustomer(ref.name, email), email, role: 'customer', now });
    if (user.role !== 'customer') throw claimedTeamAddress('sender.email');
    return fromUser(user);
  }
  if ('customerId' in ref) {
    const user = await findUserById(tx, ref.customerId);
    if (!user) throw invalid('sender', `customer ${ref.customerId} does not exist`);
    if (user.role !== 'customer') throw claimedTeamAddress('sender');
    return fromUser(user);
  }
  if ('unverifiedEmail' in ref) {
    // No user id: the note is not the team member's, whatever its From header says.
    const email = normalizeEmail(ref.unverifiedEmail, 'sender.email');
    // Whoever sent it is outside: what it claims is exactly what nobody verified.
    return { id: null, kind: 'admin', role: null, name: `${nameForCustomer(ref.name, email)} (by email, not verified)`, email, origin: 'customer' };
  }
  if ('bot' in ref) return { id: null, kind: 'bot', role: null, name: machineName(ref.bot), email: null, origin: 'bot' };
  if ('rule' in ref) return { id: null, kind: 'system', role: null, name: machineName(ref.rule), email: null, origin: 'rule' };
  return { id: null, kind: 'system', role: null, name: machineName(ref.system), email: null, origin: 'system' };
}

function machineName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('sender', 'a bot, rule or system actor needs a name');
  return trimmed;
}

/**
 * The customer a conversation is with, named by the team (an agent starting one) or a
 * channel (a visitor's address): never a team member.
 */
export async function resolveCustomer(tx: Tx, customer: { email: string; name?: string }, now: number, field = 'customer.email'): Promise<ResolvedActor> {
  const email = normalizeEmail(customer.email, field);
  const user = await findOrInsertUserByEmail(tx, { name: nameForCustomer(customer.name, email), email, role: 'customer', now });
  if (user.role !== 'customer') throw invalid(field, 'a conversation is with a customer, not a team member');
  return fromUser(user);
}

export type MessageSender = ResolvedActor & { kind: SenderType };

/** The author of a message: a customer, an agent or the bot — never the system, never nameless. */
export async function resolveSender(tx: Tx, ref: Sender, now: number): Promise<MessageSender> {
  const actor = await resolveActor(tx, ref, now);
  if (actor.kind === 'system') throw invalid('from', 'a message needs a customer, agent or bot as sender');
  return actor as MessageSender;
}

/** A team member acts as a `user`; a customer, signed in or named by a channel, as a `customer`. */
function fromUser(user: UserRow): ResolvedActor {
  const kind = user.role === 'customer' ? 'customer' : 'admin';
  return {
    id: Number(user.id),
    kind,
    role: user.role,
    name: nameForCustomer(user.name, user.email),
    email: user.email,
    origin: kind === 'customer' ? 'customer' : 'user',
  };
}

export function requireTeam(actor: ResolvedActor, action: string): void {
  if (!actsForTeam(actor)) throw new DomainError('forbidden', `customers cannot ${action}`);
}

/** Whether a sender may only ever leave an internal note: a team address nobody verified. */
export const isUnverified = (ref: Sender): boolean => 'unverifiedEmail' in ref;
