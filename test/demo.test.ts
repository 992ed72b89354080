import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, authenticate } from '../src/accounts/index.js';
import { botReply, knowledgeBaseProvider } from '../src/channels/chat/bot.js';
import { DEMO_ARTICLES, DEMO_CATEGORIES } from '../src/demo/articles.js';
import { DEMO_AGENTS, DEMO_PASSWORD } from '../src/demo/people.js';
import { planDemo } from '../src/demo/plan.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { formatDemoSummary } from '../src/demo/summary.js';
import { openStore, type Store } from '../src/store/database.js';
import { type Finished, runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// One demo run against a fresh database, through the command line as a newcomer runs it,
// and what it left behind; then the plan itself, which is pure and cheap to check widely.

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let run: Finished;
let store: Store;
let startedAt: number;

const tally = (rows: { key: string; n: number | string | bigint }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

async function snapshot() {
  const count = async (table: 'conversations' | 'messages' | 'users' | 'conversation_events') =>
    Number((await store.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  return {
    conversations: await count('conversations'),
    messages: await count('messages'),
    users: await count('users'),
    events: await count('conversation_events'),
  };
}

describe('onethread demo', () => {
  beforeAll(async () => {
    ({ env, cleanup } = await makeDatabaseEnv());
    startedAt = Date.now();
    run = await runScript('src/cli.ts', ['demo'], env, 120_000);
    store = openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
  }, 150_000);
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('fills the inbox and prints what it added, the agent logins and where to open it', () => {
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/Demo inbox ready: 200 conversations with [\d,]+ messages and \d+ internal notes, from 120 customers\./);
    expect(run.stdout).toContain(`password: ${DEMO_PASSWORD}`);
    for (const agent of DEMO_AGENTS) expect(run.stdout).toContain(agent.email);
    // A fresh install has no admin yet: the demo creates it as `serve` would, and says so once.
    expect(run.stdout).toContain('email:     admin@localhost');
    expect(run.stdout).toContain('Open http://localhost:3000');
  });

  it('fills the help center with published articles the bot answers from', async () => {
    expect(run.stdout).toContain(`The help center has ${DEMO_ARTICLES.length} articles (http://localhost:3000/help)`);
    const articles = await store.db.selectFrom('kb_articles').select(['title', 'status', 'categoryId']).execute();
    expect(articles.map((a) => a.title).sort()).toEqual(DEMO_ARTICLES.map((a) => a.title).sort());
    expect(articles.every((a) => a.status === 'published' && a.categoryId !== null)).toBe(true);
    expect(DEMO_ARTICLES.length).toBeGreaterThanOrEqual(5);
    const categories = await store.db.selectFrom('kb_categories').select('name').execute();
    expect(categories.map((c) => c.name).sort()).toEqual(DEMO_CATEGORIES.map((c) => c.name).sort());

    const provider = knowledgeBaseProvider({ store, clock: Date.now }, 'http://localhost:3000');
    const reply = await botReply({ provider }, { question: 'My hub is blinking orange and shows offline in the app', missesInARow: 0 });
    expect(reply).toMatchObject({ kind: 'answer', article: { title: 'My device shows "Offline"' } });
    expect(reply.text).toContain('lost its Wi-Fi connection');
    expect(reply.text).toContain('http://localhost:3000/help/articles/my-device-shows-offline');
    const refund = await botReply({ provider }, { question: 'How do I return a device and get my money back?', missesInARow: 0 });
    expect(refund).toMatchObject({ kind: 'answer', article: { title: 'Returns and refunds' } });
  });

  it('spreads the conversations over the channels and statuses as planned', async () => {
    const expected = planDemo({ now: startedAt }).conversations;
    const planned = (key: 'channel' | 'status') => expected.reduce<Record<string, number>>((m, c) => ({ ...m, [c[key]]: (m[c[key]] ?? 0) + 1 }), {});
    const channels = tally(
      await store.db
        .selectFrom('conversations')
        .select(['channel as key', sql<number>`count(*)`.as('n')])
        .groupBy('channel')
        .execute(),
    );
    const statuses = tally(
      await store.db
        .selectFrom('conversations')
        .select(['status as key', sql<number>`count(*)`.as('n')])
        .groupBy('status')
        .execute(),
    );
    expect(channels).toEqual(planned('channel'));
    expect(statuses).toEqual(planned('status'));
    expect(Object.keys(channels).sort()).toEqual(['chatbot', 'email', 'ticket']);
    expect(Object.keys(statuses).sort()).toEqual(['closed', 'open', 'pending', 'resolved']);
    for (const n of [...Object.values(channels), ...Object.values(statuses)]) expect(n).toBeGreaterThanOrEqual(10);
    const types = await store.db.selectFrom('conversations').select('type').distinct().execute();
    expect(types.map((t) => t.type).sort()).toEqual(['general', 'sales', 'support']);
    const customers = await store.db.selectFrom('conversations').select('customerId').distinct().execute();
    expect(customers).toHaveLength(120);
  });

  it('creates three agents who sign in with the printed password', async () => {
    const agents = await store.db.selectFrom('users').select(['email', 'name']).where('role', '=', 'agent').orderBy('email').execute();
    expect(agents).toEqual(DEMO_AGENTS.map(({ name, email }) => ({ name, email })).sort((a, b) => a.email.localeCompare(b.email)));
    const accounts = accountsContext(store);
    for (const agent of DEMO_AGENTS) expect(await authenticate(accounts, agent.email, DEMO_PASSWORD)).toMatchObject({ role: 'agent' });
  });

  it('writes believable threads: named senders, a customer in every conversation, notes, bot answers', async () => {
    const unnamed = await store.db
      .selectFrom('messages')
      .select('id')
      .where((eb) => eb.or([eb('senderName', '=', ''), eb('senderName', 'is', null)]))
      .execute();
    expect(unnamed).toEqual([]);
    const withoutCustomer = await store.db
      .selectFrom('conversations as c')
      .select('c.id')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('messages as m').select('m.id').whereRef('m.conversationId', '=', 'c.id').where('m.senderType', '=', 'customer'))),
      )
      .execute();
    expect(withoutCustomer).toEqual([]);
    const senders = await store.db
      .selectFrom('messages')
      .select(['senderType', 'isInternal', sql<number>`count(*)`.as('n')])
      .groupBy(['senderType', 'isInternal'])
      .execute();
    const bySender = tally(senders.map((r) => ({ key: `${r.senderType}:${Number(r.isInternal)}`, n: r.n })));
    expect(bySender['admin:1']).toBeGreaterThan(20);
    expect(bySender['bot:0']).toBeGreaterThan(20);
    expect(bySender['customer:0']).toBeGreaterThan(bySender['admin:0']!);
    const longest = await store.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.max('messageCount').as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(longest.n)).toBeLessThanOrEqual(8);
  });

  it('assigns most conversations to the agents, leaves some unassigned, and labels and tags them', async () => {
    const rows = await store.db.selectFrom('conversations').select(['assignedTo', 'labels', 'tags', 'priority']).execute();
    const assignees = new Set(rows.map((r) => r.assignedTo));
    expect(assignees.size).toBe(4);
    expect(rows.filter((r) => r.assignedTo === null).length).toBeGreaterThan(5);
    const labels = new Set(rows.flatMap((r) => JSON.parse(r.labels) as string[]));
    expect([...labels].sort()).toEqual(['follow-up', 'resolved', 'urgent']);
    expect(rows.filter((r) => r.tags !== '[]').length).toBeGreaterThan(100);
    expect(new Set(rows.map((r) => r.priority)).size).toBe(4);
  });

  it('spreads the history over the last month, the newest activity a few minutes ago', async () => {
    const span = await store.db
      .selectFrom('conversations')
      .select((eb) => [eb.fn.min('firstMessageAt').as('oldest'), eb.fn.max('lastMessageAt').as('newest')])
      .executeTakeFirstOrThrow();
    const finishedAt = Date.now();
    expect(Number(span.oldest)).toBeGreaterThan(startedAt - 31 * 24 * 3_600_000);
    expect(Number(span.oldest)).toBeLessThan(startedAt - 20 * 24 * 3_600_000);
    expect(Number(span.newest)).toBeLessThan(finishedAt);
    expect(Number(span.newest)).toBeGreaterThan(startedAt - 15 * 60_000);
    // Numbers follow time: the first conversation is the oldest.
    const ordered = await store.db.selectFrom('conversations').select(['number', 'firstMessageAt']).orderBy('number').execute();
    expect(ordered.map((c) => Number(c.firstMessageAt))).toEqual(ordered.map((c) => Number(c.firstMessageAt)).sort((a, b) => a - b));
  });

  it('refuses a second run without --force in one line, and changes nothing', async () => {
    const before = await snapshot();
    const again = await runScript('src/cli.ts', ['demo'], env);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: 'onethread: the inbox already has 200 conversations; the demo only fills an empty one (add --force to add its conversations anyway)\n',
    });
    // A bad password is refused before anything is written, even with --force.
    await expect(seedDemo({ store, force: true, password: 'short' })).rejects.toThrow('password must be at least 8 characters');
    expect(await snapshot()).toEqual(before);
  });

  it('with --force adds its conversations anyway, reusing the demo agents as they are', async () => {
    const before = await snapshot();
    const result = await seedDemo({ store, force: true, password: 'not the printed one', conversations: 6 });
    // The help center already has the demo's articles: none are added twice.
    expect(result).toMatchObject({ conversations: 6, articles: 0, password: 'not the printed one', admin: 'admin@localhost' });
    expect(result.agents.map((a) => a.created)).toEqual([false, false, false]);
    expect(formatDemoSummary(result, 'http://localhost:3000')).toContain('(existing account, password unchanged)');
    // The same seed writes as the same customers: no account is created twice.
    expect(await snapshot()).toMatchObject({ conversations: before.conversations + 6, users: before.users });
    const numbers = await store.db.selectFrom('conversations').select('number').orderBy('number', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(Number(numbers.number)).toBe(206);
  });
});

describe('the demo plan', () => {
  it('is the same for the same seed, and every thread is well formed whatever the seed', () => {
    const now = Date.UTC(2026, 5, 1, 12);
    expect(planDemo({ now, seed: 7 })).toEqual(planDemo({ now, seed: 7 }));
    const problems: string[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const plan = planDemo({ now, seed });
      if (plan.conversations.length !== 200) problems.push(`seed ${seed}: ${plan.conversations.length} conversations`);
      if (new Set(plan.conversations.map((c) => c.customer)).size !== 120) problems.push(`seed ${seed}: not 120 customers`);
      plan.conversations.forEach((conversation, i) => {
        const where = `seed ${seed}, conversation ${i} (${conversation.scenario})`;
        const messages = conversation.steps.filter((s) => s.kind === 'message');
        if (conversation.steps[0]!.kind !== 'message') problems.push(`${where}: does not start with a message`);
        if (messages.length < 1 || messages.length > 8) problems.push(`${where}: ${messages.length} messages`);
        if (!messages.some((m) => m.from === 'customer')) problems.push(`${where}: no customer message`);
        // No placeholder left unfilled, and time only moves forward, never past now.
        if ([conversation.subject, ...messages.map((m) => m.body)].some((text) => /\{\w+\}/.test(text))) problems.push(`${where}: unfilled placeholder`);
        if (conversation.steps.some((step, k) => k > 0 && step.at <= conversation.steps[k - 1]!.at)) problems.push(`${where}: steps out of order`);
        if (conversation.steps.at(-1)!.at >= now || conversation.steps[0]!.at < now - 31 * 24 * 3_600_000) problems.push(`${where}: outside the last month`);
      });
    }
    expect(problems).toEqual([]);
  });
});
