import type { Tx } from '../store/transaction.js';
import type { Role, SenderType, UserRow } from '../store/schema.js';
import { findOrInsertUserByEmail, findUserById } from '../store/users.js';
import { DomainError, invalid } from './errors.js';

/** Who does something: a user, the bot, or Onethread itself (automations, channels). */
export type Actor = { userId: number } | { bot: string } | { system: string };

/** Who writes a message: an actor, or a customer known only by address (email, contact form). */
export type Sender = Actor | { customerEmail: string; name?: string };

export type ResolvedActor = {
  id: number | null;
  kind: SenderType | 'system';
  role: Role | null;
  name: string;
  email: string | null;
};

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

export function normalizeEmail(email: string, field = 'email'): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed) || trimmed.length > 254) throw invalid(field, `"${email.slice(0, 80)}" is not an email address`);
  return trimmed;
}

/** A display name, or the address's local part: never empty, never "Unknown". */
export function nameForCustomer(name: string | undefined, email: string): string {
  const display = name?.replace(/[\u0000-\u001F\u007F\s]+/g, ' ').trim().replace(/^["']|["']$/g, '');
  return display || email.split('@')[0]!;
}

export async function resolveActor(tx: Tx, ref: Sender, now: number): Promise<ResolvedActor> {
  if ('userId' in ref) {
    const user = await findUserById(tx, ref.userId);
    if (!user) throw invalid('sender', `user ${ref.userId} does not exist`);
    return fromUser(user);
  }
  if ('customerEmail' in ref) {
    const email = normalizeEmail(ref.customerEmail, 'sender.email');
    return fromUser(await findOrInsertUserByEmail(tx, { name: nameForCustomer(ref.name, email), email, role: 'customer', now }));
  }
  const name = ('bot' in ref ? ref.bot : ref.system).trim();
  if (!name) throw invalid('sender', 'a bot or system actor needs a name');
  return { id: null, kind: 'bot' in ref ? 'bot' : 'system', role: null, name, email: null };
}

export type MessageSender = ResolvedActor & { kind: SenderType };

/** The author of a message: a customer, an agent or the bot — never the system, never nameless. */
export async function resolveSender(tx: Tx, ref: Sender, now: number): Promise<MessageSender> {
  const actor = await resolveActor(tx, ref, now);
  if (actor.kind === 'system') throw invalid('from', 'a message needs a customer, agent or bot as sender');
  return actor as MessageSender;
}

function fromUser(user: UserRow): ResolvedActor {
  const kind = user.role === 'customer' ? 'customer' : 'admin';
  return { id: Number(user.id), kind, role: user.role, name: nameForCustomer(user.name, user.email), email: user.email };
}

export function requireTeam(actor: ResolvedActor, action: string): void {
  if (actor.role === 'customer') throw new DomainError('forbidden', `customers cannot ${action}`);
}
