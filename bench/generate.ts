import { createRandom, type Random } from '../src/demo/random.js';
import type { Channel, ConversationType, Label, Priority, Status } from '../src/store/schema.js';
import type { SeedConversation, SeedMessage, SeedUser } from './bulk-load.js';
import { FIRST_NAMES, LAST_NAMES, type Vocabulary } from './vocabulary.js';

// A realistic inbox, generated lazily so ten million messages never sit in memory at
// once: the bulk loader pulls one conversation at a time.

export const AGENT_COUNT = 10;
const TAGS = ['billing', 'refund', 'shipping', 'login', 'bug', 'feature-request', 'vip', 'onboarding', 'cancellation', 'invoice'];
const BOT_NAME = 'Onethread Bot';

const STATUS_WEIGHTS: Record<Status, number> = { open: 25, pending: 15, resolved: 30, closed: 30 };
const CHANNEL_WEIGHTS: Record<Channel, number> = { email: 45, ticket: 35, chatbot: 20 };
const TYPE_WEIGHTS: Record<ConversationType, number> = { support: 70, sales: 20, general: 10 };
const PRIORITY_WEIGHTS: Record<Priority, number> = { low: 15, normal: 60, high: 18, urgent: 7 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type Person = { id: number; name: string; email: string };

/**
 * The teams and the share of conversations each holds; the rest (20 %) have none. Uneven,
 * as teams are, so the team views range from a large one to a small one.
 */
export const TEAMS = [
  { name: 'Support', share: 30 },
  { name: 'Billing', share: 20 },
  { name: 'Technical', share: 15 },
  { name: 'Sales', share: 10 },
  { name: 'Enterprise', share: 5 },
] as const;

/** Three agents per team, overlapping, so half the agents are in two teams. */
export const teamMemberIndexes = (team: number): number[] => [2 * team, 2 * team + 1, (2 * team + 2) % AGENT_COUNT];

/** The admin who creates the teams (and, in the bench, sets assignment rules). */
export const ADMIN: SeedUser = { name: 'Bench Admin', email: 'admin@onethread.test', role: 'admin' };

export function agentUsers(): SeedUser[] {
  return Array.from({ length: AGENT_COUNT }, (_, i) => ({
    name: `${FIRST_NAMES[i]} ${LAST_NAMES[LAST_NAMES.length - 1 - i]}`,
    email: `agent${String(i + 1).padStart(2, '0')}@onethread.test`,
    role: 'agent' as const,
  }));
}

/** One customer per ~3 conversations, as in a support desk with returning customers. */
export function customerUsers(count: number): SeedUser[] {
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!;
    return { name: `${first} ${last}`, email: `${first}.${last}.${i}@example.test`.toLowerCase(), role: 'customer' as const };
  });
}

export type GenerateOptions = {
  conversations: number;
  messagesPerConversation: number;
  agents: readonly Person[];
  customers: readonly Person[];
  /** Team ids in the order of TEAMS; none: no conversation has a team. */
  teams?: readonly number[];
  vocabulary: Vocabulary;
  seed: number;
  /** The newest message is older than this; everything spreads over the two years before. */
  now: number;
};

export function* generateConversations(options: GenerateOptions): Generator<SeedConversation> {
  const random = createRandom(options.seed);
  const { conversations: n, vocabulary } = options;
  const span = 730 * DAY;
  // Leave room for the last conversation's messages to finish before `now`.
  const start = options.now - span - options.messagesPerConversation * 6 * HOUR - DAY;
  for (let i = 0; i < n; i++) {
    // Created in id order over two years, so recent activity sits at the high ids as in a real inbox.
    const createdAt = Math.floor(start + (i / n) * span + random.next() * HOUR);
    yield { ...conversation(random, options, vocabulary, createdAt), teamId: teamOf(i, options.teams ?? []) };
  }
}

/**
 * Decided by the index, without a draw, so the rest of the inbox stays what this seed always
 * made. 37 is prime to 100: every 100 consecutive conversations take each slot once, so every
 * team has conversations of every age and status.
 */
function teamOf(i: number, teams: readonly number[]): number | null {
  if (teams.length === 0) return null;
  let slot = (i * 37) % 100;
  for (const [k, team] of TEAMS.entries()) {
    if (slot < team.share) return teams[k] ?? null;
    slot -= team.share;
  }
  return null;
}

function conversation(random: Random, options: GenerateOptions, vocabulary: Vocabulary, createdAt: number): SeedConversation {
  const status = random.weighted(STATUS_WEIGHTS);
  const channel = random.weighted(CHANNEL_WEIGHTS);
  // Open work is often still in the unassigned queue; older work almost always has an owner.
  const assigned = status === 'open' ? random.chance(0.6) : random.chance(0.9);
  const assignee = assigned ? random.pick(options.agents) : null;
  const customer = random.pick(options.customers);
  const labels: Label[] = [];
  if (random.chance(0.1)) labels.push('urgent');
  if (random.chance(0.05)) labels.push('follow-up');
  if (status === 'resolved' && random.chance(0.2)) labels.push('resolved');
  const tags = random.chance(0.4) ? [...new Set([random.pick(TAGS), ...(random.chance(0.3) ? [random.pick(TAGS)] : [])])] : [];
  // Chats nobody of the team has taken are the bot's (Bot view, out of Pending). Decided
  // without a draw of its own, so the rest of the inbox stays what this seed always made.
  if (channel === 'chatbot' && status === 'pending' && assignee === null) tags.push('bot');

  const messages = messagesFor(random, options, vocabulary, { status, channel, customer, assignee, createdAt });
  const last = messages[messages.length - 1]!.sentAt;
  return {
    channel,
    type: random.weighted(TYPE_WEIGHTS),
    customer,
    subject: capitalize(vocabulary.sentence(random, 3 + random.int(0, 4))),
    status,
    priority: random.weighted(PRIORITY_WEIGHTS),
    assignedTo: assignee?.id ?? null,
    labels,
    tags,
    statusChangedAt: status === 'resolved' || status === 'closed' ? last + random.int(0, DAY - 1) : undefined,
    messages,
  };
}

/**
 * Customer and team take turns, as a conversation goes; the last public message agrees
 * with the status the way the commands set it (a customer's reply opens, the team's
 * reply makes it pending). Chatbot conversations get their first answer from the bot,
 * and a few team messages are internal notes.
 */
function messagesFor(
  random: Random,
  options: GenerateOptions,
  vocabulary: Vocabulary,
  c: { status: Status; channel: Channel; customer: Person; assignee: Person | null; createdAt: number },
): SeedMessage[] {
  const count = options.messagesPerConversation;
  const team = c.assignee ?? random.pick(options.agents);
  const messages: SeedMessage[] = [];
  let at = c.createdAt;
  for (let j = 0; j < count; j++) {
    const isLast = j === count - 1;
    let fromCustomer = j % 2 === 0;
    if (isLast && c.status === 'open') fromCustomer = true;
    if (isLast && c.status === 'pending') fromCustomer = false;
    const body = capitalize(vocabulary.sentence(random, 8 + random.int(0, 24))) + '.';
    if (fromCustomer) {
      messages.push({ senderType: 'customer', senderId: c.customer.id, senderName: c.customer.name, senderEmail: c.customer.email, body, sentAt: at });
    } else if (c.channel === 'chatbot' && j === 1 && !isLast) {
      messages.push({ senderType: 'bot', senderId: null, senderName: BOT_NAME, senderEmail: null, body, sentAt: at });
    } else {
      // Never the first or last message: the first is public by definition, the last decides the status.
      const isInternal = j > 0 && !isLast && random.chance(0.05);
      messages.push({ senderType: 'admin', senderId: team.id, senderName: team.name, senderEmail: team.email, body, isInternal, sentAt: at });
    }
    at += 1 + Math.floor(Math.min(random.exponential(2 * HOUR), 6 * HOUR));
  }
  return messages;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
