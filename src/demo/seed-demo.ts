import { type AccountsContext, accountsContext, createUser, ensureFirstAdmin, getUserByEmail, MIN_PASSWORD, type User } from '../accounts/index.js';
import { DomainError, invalid } from '../errors.js';
import type { Actor, Sender } from '../inbox/actors.js';
import { EventBus } from '../inbox/bus.js';
import {
  addMessage,
  assignConversation,
  createConversation,
  labelConversation,
  markConversationRead,
  setConversationPriority,
  updateConversationStatus,
} from '../inbox/commands.js';
import { createInboxContext, type InboxContext } from '../inbox/context.js';
import { getInboxCounts } from '../inbox/queries.js';
import type { Store } from '../store/database.js';
import { seedDemoArticles } from './articles.js';
import { DEMO_AGENTS, DEMO_PASSWORD } from './people.js';
import { type By, type DemoPlan, planDemo, type Step } from './plan.js';
import { BOT_NAME } from './scenarios.js';

// Writes the demo inbox through the inbox commands, the one write path, so the demo has
// everything real conversations have: audit events, counters, tag rows, search, read
// marks. History is written by giving the commands a clock that reads each step's time.

export type SeedDemoOptions = {
  store: Store;
  /** The demo agents' password; only set on agents the demo creates. */
  password?: string;
  /** Add the demo conversations even though the inbox has some already. */
  force?: boolean;
  seed?: number;
  conversations?: number;
  reopenClosedOnCustomerReply?: boolean;
  /** As for `serve`: the admin to create when none exists. */
  firstAdmin?: { email: string; password: string | null } | null;
  /** As for `serve`: that admin's name (ONETHREAD_ADMIN_NAME). */
  firstAdminName?: string | null;
  /** Where Onethread is reached (PUBLIC_URL), for the first admin's message. */
  publicUrl?: string;
  /** Receives the first admin's one-time password, when the demo is what creates that account. */
  log?: (message: string) => void;
  now?: number;
};

export type DemoAgentLogin = { name: string; email: string; created: boolean };

export type DemoResult = {
  conversations: number;
  messages: number;
  notes: number;
  customers: number;
  /** Help-center articles added; 0 when the knowledge base already had content. */
  articles: number;
  agents: DemoAgentLogin[];
  password: string;
  admin: string | null;
};

export async function seedDemo(options: SeedDemoOptions): Promise<DemoResult> {
  const password = options.password ?? DEMO_PASSWORD;
  // Checked before anything is written, so a bad --password leaves the database as it was.
  if ([...password].length < MIN_PASSWORD) throw invalid('password', `password must be at least ${MIN_PASSWORD} characters`);
  const now = options.now ?? Date.now();
  const inbox = createInboxContext({
    store: options.store,
    bus: new EventBus(),
    // Each command gets a clock reading its step's time (see replay); this one is for the check below.
    clock: () => now,
    reopenClosedOnCustomerReply: options.reopenClosedOnCustomerReply ?? true,
    // The customers are made up: nothing they "wrote" may plan mail or webhooks.
    sideEffects: [],
  });

  const existing = Object.values((await getInboxCounts(inbox, 0)).statuses).reduce((sum, n) => sum + n, 0);
  if (existing > 0 && !options.force) {
    throw new DomainError(
      'conflict',
      `the inbox already has ${existing} conversation${existing === 1 ? '' : 's'}; the demo only fills an empty one (add --force to add its conversations anyway)`,
    );
  }

  const accounts = accountsContext(options.store);
  const admin = await ensureFirstAdmin(accounts, {
    ...options.firstAdmin,
    name: options.firstAdminName,
    url: options.publicUrl,
    log: options.log ?? (() => {}),
  });
  const agents = await ensureAgents(accounts, password);
  const articles = await seedDemoArticles({ store: options.store, clock: () => now }, admin.user?.id ?? null);
  const plan = planDemo({ seed: options.seed, now, conversations: options.conversations });
  const written = await replay(
    inbox,
    plan,
    agents.map((a) => a.user.id),
    admin.user?.id ?? null,
  );
  return {
    ...written,
    customers: new Set(plan.conversations.map((c) => c.customer)).size,
    articles,
    agents: agents.map(({ user, created }) => ({ name: user.name, email: user.email, created })),
    password,
    admin: admin.user?.email ?? null,
  };
}

/** The demo agents, created once; on a second run (--force) the existing accounts are reused as they are. */
async function ensureAgents(accounts: AccountsContext, password: string): Promise<{ user: User; created: boolean }[]> {
  const agents: { user: User; created: boolean }[] = [];
  for (const agent of DEMO_AGENTS) {
    const found = await getUserByEmail(accounts, agent.email);
    if (found && found.role === 'customer')
      throw new DomainError('conflict', `${agent.email} belongs to a customer account, so the demo cannot make it an agent`);
    agents.push(
      found
        ? { user: found, created: false }
        : { user: await createUser(accounts, { name: agent.name, email: agent.email, role: 'agent', password }), created: true },
    );
  }
  return agents;
}

/** Commands in flight at once: PostgreSQL runs them side by side (SQLite's one connection takes turns). */
const CONCURRENCY = 8;

/**
 * Runs every planned step in time order across all conversations, each command with a
 * clock reading its step's time. The steps of one conversation run one after another and
 * creations one after another (so numbers follow the story); everything else overlaps.
 */
async function replay(inbox: InboxContext, plan: DemoPlan, agentIds: number[], adminId: number | null) {
  const queue = plan.conversations
    .flatMap((conversation, c) => conversation.steps.map((step, s) => ({ c, s, step })))
    .sort((a, b) => a.step.at - b.step.at || a.c - b.c || a.s - b.s);
  const ids = new Map<number, number>();
  const actor = (by: By): Actor => (by === 'bot' ? { bot: BOT_NAME } : by === 'admin' ? { userId: adminId ?? agentIds[0]! } : { userId: agentIds[by.agent]! });
  const counts = { conversations: 0, messages: 0, notes: 0 };

  async function perform(c: number, step: Step): Promise<void> {
    const ctx: InboxContext = { ...inbox, clock: () => step.at };
    const planned = plan.conversations[c]!;
    const customer = plan.customers[planned.customer]!;
    const sender = (from: 'customer' | By): Sender => (from === 'customer' ? { customerEmail: customer.email, name: customer.name } : actor(from));
    const conversation = ids.get(c);
    if (conversation === undefined) {
      if (step.kind !== 'message') throw new Error(`demo plan: conversation ${c} does not start with a message`);
      const created = await createConversation(ctx, {
        from: sender(step.from),
        channel: planned.channel,
        type: planned.type,
        subject: planned.subject,
        body: step.body,
        customer: { email: customer.email, name: customer.name },
      });
      ids.set(c, created.conversation.id);
      counts.conversations++;
      counts.messages++;
      return;
    }
    switch (step.kind) {
      case 'message':
        await addMessage(ctx, { conversation, from: sender(step.from), body: step.body, isInternal: step.internal });
        counts[step.internal ? 'notes' : 'messages']++;
        return;
      case 'read':
        await markConversationRead(ctx, { conversation, userId: agentIds[step.agent]! });
        return;
      case 'assign':
        await assignConversation(ctx, { conversation, assigneeId: agentIds[step.agent]!, by: actor(step.by) });
        return;
      case 'priority':
        await setConversationPriority(ctx, { conversation, priority: step.priority, by: actor(step.by) });
        return;
      case 'label':
        await labelConversation(ctx, { conversation, labels: step.labels, tags: step.tags, by: actor(step.by) });
        return;
      case 'status':
        await updateConversationStatus(ctx, { conversation, status: step.status, by: actor(step.by) });
        return;
    }
  }

  const lanes = new Map<number, Promise<void>>();
  let lastCreation: Promise<void> = Promise.resolve();
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for (const { c, s, step } of queue) {
    while (running.size >= CONCURRENCY) await Promise.race(running);
    if (failure) break;
    const run = (s === 0 ? lastCreation : lanes.get(c)!).then(() => perform(c, step));
    if (s === 0) lastCreation = run;
    lanes.set(c, run);
    const tracked = run.then(
      () => {},
      (error: unknown) => {
        failure ??= { error };
      },
    );
    running.add(tracked);
    void tracked.finally(() => running.delete(tracked));
  }
  await Promise.all(running);
  if (failure) throw (failure as { error: unknown }).error;
  return counts;
}
