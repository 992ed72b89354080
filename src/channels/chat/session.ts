import { createHash, randomBytes } from 'node:crypto';
import { DomainError, invalid } from '../../errors.js';
import { resolveCustomer } from '../../inbox/actors.js';
import { changeConversationCustomer } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { getConversation, getConversationMessages } from '../../inbox/queries.js';
import type { Conversation, Message } from '../../inbox/records.js';
import { singleLine } from '../../inbox/rules.js';
import { type ChatVisitorRow, findVisitorByTokenHash, firstVisitorOfExternalUser, insertVisitor, listVisitorChats, updateVisitor } from '../../store/chat.js';
import { type Tx, transact } from '../../store/transaction.js';
import { findOrInsertUserByEmail, findUserByEmail, findUserById, renameUser } from '../../store/users.js';
import type { BotOptions } from './bot.js';
import { type ClaimedIdentity, checkIdentity, type IdentityPolicy } from './identity.js';

// A visitor's session: which browser is which customer. The widget is open to anyone, so
// whatever a visitor claims (an address, a signed identity's address) can only ever make
// them a customer (docs/security.md): a team address is refused before anything is
// written, and the visitor is shown only what they told us, never what is stored under
// the address they typed.

export type ChatContext = {
  inbox: InboxContext;
  identity: IdentityPolicy;
  /** Null: no bot; every chat goes straight to the team. */
  bot: BotOptions | null;
  botName: string;
};

export type Visitor = {
  id: number;
  customerId: number;
  /** What the visitor told us (or their verified identity says); null until they did. */
  name: string | null;
  email: string | null;
  /** The customer's address, made up or not: who the chat is from. Never shown to the visitor. */
  address: string;
  externalUserId: string | null;
};

export type SessionInput = { visitorToken?: string; name?: string; email?: string; identity?: ClaimedIdentity };
export type Session = { visitorToken: string; visitor: Visitor; conversation: Conversation | null; messages: Message[] };

/** Addresses made up for visitors who gave none: `.invalid` can never receive mail (RFC 2606). */
export const PLACEHOLDER_DOMAIN = 'visitors.invalid';
/** Never "Unknown": an anonymous visitor is "Visitor 3F2A" to the team until they give a name. */
const PLACEHOLDER_NAME = 'Visitor ';
const isPlaceholder = (email: string) => email.endsWith(`@${PLACEHOLDER_DOMAIN}`);
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const validToken = (token: string | undefined): token is string => token !== undefined && /^[A-Za-z0-9_-]{20,100}$/.test(token);
const HISTORY = 100;
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

function cleanName(name: string | null | undefined, field: string): string | null {
  const clean = singleLine(name ?? '');
  if (clean.length > 200) throw invalid(field, 'name must be at most 200 characters');
  return clean || null;
}

function cleanEmail(email: string | null | undefined, field: string): string | null {
  const trimmed = email?.trim();
  if (!trimmed) return null;
  // A made-up address is no one's to claim: it would name another anonymous visitor's customer.
  if (!ADDRESS.test(trimmed) || trimmed.length > 254 || isPlaceholder(trimmed.toLowerCase()))
    throw invalid(field, `"${trimmed.slice(0, 80)}" is not an email address`);
  return trimmed.toLowerCase();
}

/**
 * Who the visitor's customer will be, decided before anything is written: the one an
 * address names (never a team member), the one this verified user or this browser already
 * chats as (while it is still a customer), or a new one with a made-up address.
 */
type CustomerPlan =
  | { kind: 'address'; email: string; field: string }
  | { kind: 'existing'; id: number; address: string; name: string; told: string | null }
  | { kind: 'new' };

async function refuseTeamAddress(tx: Tx, email: string, field: string): Promise<void> {
  const user = await findUserByEmail(tx, email);
  // Active or not: a deactivated member's name still signs the team's old replies.
  if (user && user.role !== 'customer') throw invalid(field, 'This address belongs to the support team and cannot be used in the chat; use your own address');
}

async function planCustomer(tx: Tx, email: { email: string; field: string } | null, sources: (ChatVisitorRow | undefined)[]): Promise<CustomerPlan> {
  if (email) {
    await refuseTeamAddress(tx, email.email, email.field);
    return { kind: 'address', ...email };
  }
  for (const source of sources) {
    if (!source) continue;
    const customer = await findUserById(tx, Number(source.customerId));
    // A customer since made a team member is nobody a visitor may write as (nor a row an
    // earlier, now refused, claim of a team address left behind).
    if (customer?.role === 'customer') return { kind: 'existing', id: Number(customer.id), address: customer.email, name: customer.name, told: source.email };
  }
  return { kind: 'new' };
}

async function customerFor(tx: Tx, plan: CustomerPlan, name: string | null, now: number): Promise<number> {
  if (plan.kind === 'address') return (await resolveCustomer(tx, { email: plan.email, name: name ?? undefined }, now, plan.field)).id!;
  if (plan.kind === 'existing') {
    // A name typed for this browser's made-up customer names it; a real customer keeps theirs.
    if (name && isPlaceholder(plan.address) && plan.name !== name) await renameUser(tx, plan.id, name, now);
    return plan.id;
  }
  const placeholder = `visitor-${randomBytes(6).toString('hex')}@${PLACEHOLDER_DOMAIN}`;
  const made = await findOrInsertUserByEmail(tx, {
    name: name ?? `${PLACEHOLDER_NAME}${placeholder.slice(8, 12).toUpperCase()}`,
    email: placeholder,
    role: 'customer',
    now,
  });
  return Number(made.id);
}

async function toVisitor(tx: Tx, row: ChatVisitorRow): Promise<Visitor> {
  const customer = await findUserById(tx, Number(row.customerId));
  if (!customer) throw new Error(`visitor ${row.id} has no customer`);
  return { id: Number(row.id), customerId: Number(customer.id), name: row.name, email: row.email, address: customer.email, externalUserId: row.externalUserId };
}

/**
 * Starts or resumes a visitor's session. Everything is read and checked first; then one
 * transaction writes the visitor (and their customer, when new). When the chat was with a
 * made-up customer and the visitor now has a real one, that write is the receipt of the
 * chat's customer change, so both commit together or neither does.
 */
export async function openSession(ctx: ChatContext, input: SessionInput): Promise<Session> {
  const checked = checkIdentity(ctx.identity, input.identity);
  if (checked.kind === 'refused') throw new DomainError('forbidden', `Signed identity refused: ${checked.reason}`, 'identity');
  const verified = checked.kind === 'verified' ? checked : null;
  const claimedEmail = cleanEmail(verified?.email, 'identity.email');
  const typedEmail = cleanEmail(input.email, 'email');
  const name = cleanName(verified?.name, 'identity.name') ?? cleanName(input.name, 'name');
  const email = claimedEmail ? { email: claimedEmail, field: 'identity.email' } : typedEmail ? { email: typedEmail, field: 'email' } : null;

  const db = ctx.inbox.store.db;
  const known = validToken(input.visitorToken) ? await findVisitorByTokenHash(db, hashToken(input.visitorToken)) : undefined;
  const sibling = verified && !email ? await firstVisitorOfExternalUser(db, verified.userId) : undefined;
  const plan = await planCustomer(db, email, [sibling, known]);
  const details = {
    externalUserId: verified?.userId ?? known?.externalUserId ?? null,
    name: name ?? known?.name ?? sibling?.name ?? null,
    // Only what this person told us about the customer they now are.
    email: plan.kind === 'address' ? plan.email : plan.kind === 'existing' ? plan.told : null,
  };
  const token = known ? input.visitorToken! : randomBytes(32).toString('base64url');

  let row: ChatVisitorRow | undefined;
  const write = async (tx: Tx) => {
    const now = ctx.inbox.clock();
    const customerId = await customerFor(tx, plan, details.name, now);
    row = known
      ? await updateVisitor(tx, Number(known.id), { customerId, ...details, lastSeenAt: now })
      : await insertVisitor(tx, { tokenHash: hashToken(token), customerId, ...details, now });
  };

  const chat = await currentChat(ctx, { id: known ? Number(known.id) : 0, externalUserId: details.externalUserId });
  const realAddress = plan.kind === 'address' ? plan.email : plan.kind === 'existing' && !isPlaceholder(plan.address) ? plan.address : null;
  let conversation: Conversation | null = null;
  if (chat && realAddress && isPlaceholder(chat.customer.email)) {
    // They wrote before saying who they are: the chat is with them now, and the team's
    // answers can reach their mailbox (continuity).
    conversation = await changeConversationCustomer(ctx.inbox, {
      conversation: chat.id,
      customer: { email: realAddress, name: details.name ?? undefined },
      by: { system: 'Chat' },
      receipt: write,
    });
  } else {
    await transact(ctx.inbox.store, write);
  }
  const visitor = await toVisitor(db, row!);
  conversation ??= await currentChat(ctx, visitor);
  const messages = conversation
    ? (await getConversationMessages(ctx.inbox, conversation.id, { includeInternal: false, newestFirst: true, limit: HISTORY })).items
    : [];
  return { visitorToken: token, visitor, conversation, messages };
}

/** The visitor behind a token, or null. */
export async function findVisitor(ctx: ChatContext, token: string | undefined): Promise<Visitor | null> {
  if (!validToken(token)) return null;
  const row = await findVisitorByTokenHash(ctx.inbox.store.db, hashToken(token));
  return row ? toVisitor(ctx.inbox.store.db, row) : null;
}

/** The visitor's latest chat unless it was closed (a new question starts a new one). */
export async function currentChat(ctx: ChatContext, visitor: Pick<Visitor, 'id' | 'externalUserId'>): Promise<Conversation | null> {
  const [latest] = await listVisitorChats(ctx.inbox.store.db, visitor, 1);
  if (!latest || latest.status === 'closed') return null;
  return getConversation(ctx.inbox, Number(latest.id));
}

/** Whether this visitor may see this conversation (their socket's filter). */
export async function visitorChatIds(ctx: ChatContext, visitor: Pick<Visitor, 'id' | 'externalUserId'>): Promise<Set<number>> {
  return new Set((await listVisitorChats(ctx.inbox.store.db, visitor, 1000)).map((row) => Number(row.id)));
}
