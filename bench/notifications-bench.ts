import { parseArgs } from 'node:util';
import { createRandom } from '../src/demo/random.js';
import { EventBus } from '../src/inbox/bus.js';
import { addMessage, assignConversation, createConversation, createTeam, setFollowing, updateConversation } from '../src/inbox/commands.js';
import { createInboxContext, type InboxContext } from '../src/inbox/context.js';
import { NOTIFICATION_KINDS } from '../src/inbox/notifications/preferences.js';
import { countUnreadNotifications, listNotifications } from '../src/inbox/notifications/queries.js';
import { bulkInsertNotifications, bulkInsertUsers, bulkLoadConversations, type SeedConversation, type SeedNotification } from './bulk-load.js';
import { type Latency, measureLatency, measureRates, type Rate, type SampleOptions, timed } from './measure.js';
import { openTarget, UsageError, wholeNumber } from './target.js';
import { measurePrimaryKey } from './views.js';

// `npm run bench:notifications [-- options]` (issue 18's benchmark), in a database of its own:
// (1) what notifying costs a customer's reply: addMessage on conversations whose reply tells
//     an assignee and 20 followers, against conversations whose reply tells nobody (a team
//     without members, unassigned), in alternating rounds of the same run;
// (2) the bell with 1,000,000 notification rows: the unread count and the first page for a
//     user who has ~50,000 of them, against a primary-key lookup in the same run.
// Figures are for bench/README.md; nothing here asserts a timing.

const { values: args } = parseArgs({
  options: {
    notifications: { type: 'string', default: '1000000' },
    'heavy-rows': { type: 'string', default: '50000' },
    agents: { type: 'string', default: '200' },
    followers: { type: 'string', default: '20' },
    writes: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '10' },
    samples: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    'budget-seconds': { type: 'string', default: '60' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const HELP = `npm run bench:notifications -- [options]
  --notifications N   notification rows to seed (default 1000000)
  --heavy-rows H      of them, the measured user's (default 50000)
  --agents A          agents the rest are spread over (default 200)
  --followers F       followers told of each reply, besides the assignee (default 20)
  --writes K          addMessage calls with and without notifying, each (default 2000)
  --rounds R          alternating rounds they are split into (default 10)
  --samples S         timed samples per read (default 300)
  --warmup W          untimed runs before each read (default 30)
  --budget-seconds T  stop one read measurement after T seconds, flagged (default 60)
  --data-dir DIR      SQLite: put the database here instead of a temp dir
  --keep              keep the database afterwards
  --json              also print the figures as one JSON object on the last line
PostgreSQL: set DATABASE_URL to a server; the bench creates and drops onethread_bench_<random> there.`;

const count = (name: keyof typeof args) => wholeNumber(name, args[name]);
const log = (line: string) => process.stderr.write(`${line}\n`);
const DAY = 24 * 60 * 60 * 1000;
/** Conversations the seeded notifications point at (the bell's page joins them). */
const SEED_CONVERSATIONS = 10_000;
/** Of each user's rows, the newest this many are unread (one per kind and conversation, as the commands keep them). */
const UNREAD_PER_USER = 40;

export type NotificationFigures = {
  database: 'sqlite' | 'postgres';
  notifications: number;
  heavyUserRows: number;
  seedSeconds: number;
  addMessage: { notifying: Rate; silent: Rate; told: number; overhead: number; target: number };
  bell: { count: Latency; firstPage: Latency; firstUnreadPage: Latency; primaryKey: Latency; targetP95Ms: number };
};

type People = { adminId: number; agentIds: number[]; customerIds: number[] };

async function seedPeople(ctx: InboxContext, agents: number, now: number): Promise<People> {
  const store = ctx.store;
  const [adminId] = await bulkInsertUsers(store, [{ name: 'Bench Admin', email: 'admin@notify.test', role: 'admin' }], now);
  const agentIds = await bulkInsertUsers(
    store,
    Array.from({ length: agents }, (_, i) => ({ name: `Agent ${i + 1}`, email: `agent${i + 1}@notify.test`, role: 'agent' as const })),
    now,
  );
  const customerIds = await bulkInsertUsers(
    store,
    Array.from({ length: 1000 }, (_, i) => ({ name: `Customer ${i + 1}`, email: `customer${i + 1}@notify.test`, role: 'customer' as const })),
    now,
  );
  return { adminId: adminId!, agentIds, customerIds };
}

/** The conversations the notification rows point at: one message each, through the seeding writer. */
function* seedConversations(people: People, now: number): Generator<SeedConversation> {
  for (let i = 0; i < SEED_CONVERSATIONS; i++) {
    const customerId = people.customerIds[i % people.customerIds.length]!;
    const customer = {
      id: customerId,
      name: `Customer ${(i % people.customerIds.length) + 1}`,
      email: `customer${(i % people.customerIds.length) + 1}@notify.test`,
    };
    yield {
      channel: 'ticket',
      type: 'support',
      customer,
      subject: `Question ${i + 1}`,
      status: 'open',
      priority: 'normal',
      assignedTo: null,
      labels: [],
      tags: [],
      messages: [{ senderType: 'customer', senderId: customer.id, senderName: customer.name, senderEmail: customer.email, body: 'Hello', sentAt: now - DAY }],
    };
  }
}

/**
 * The million rows: the heavy user's `heavyRows`, the rest spread over the other agents,
 * each user's over the last 90 days, the newest UNREAD_PER_USER of them unread.
 */
function* seedNotifications(options: {
  total: number;
  heavyRows: number;
  userIds: number[];
  conversationIds: number[];
  actorId: number;
  now: number;
}): Generator<SeedNotification> {
  const random = createRandom(5);
  const [heavy, ...others] = options.userIds;
  const rest = options.total - options.heavyRows;
  const shares: [number, number][] = [
    [heavy!, options.heavyRows],
    ...others.map((id, i): [number, number] => [id, Math.floor(rest / others.length) + (i < rest % others.length ? 1 : 0)]),
  ];
  const span = 90 * DAY;
  for (const [userId, rows] of shares) {
    for (let i = 0; i < rows; i++) {
      // Spread evenly over 90 days, oldest first; the last UNREAD_PER_USER are unread.
      const lastAt = options.now - span + Math.floor((span * (i + 1)) / (rows + 1));
      const unread = i >= rows - UNREAD_PER_USER;
      // Unread rows take distinct conversations (one unread row per kind and conversation).
      const conversationId = options.conversationIds[unread ? rows - 1 - i : random.int(0, options.conversationIds.length - 1)]!;
      const counted = 1 + random.int(0, 3);
      yield {
        userId,
        kind: NOTIFICATION_KINDS[i % NOTIFICATION_KINDS.length]!,
        conversationId,
        messageId: null,
        actorId: options.actorId,
        actorName: 'Bench Admin',
        count: counted,
        firstAt: lastAt - counted * 60_000,
        lastAt,
        readAt: unread ? null : lastAt + 3_600_000,
      };
    }
  }
}

/**
 * (1) Conversations assigned to one agent and followed by `followers` others, against
 * conversations in a team without members, unassigned: a customer's reply tells
 * 1 + followers people on the first, nobody on the second, through the same command.
 */
async function measureAddMessage(ctx: InboxContext, people: People, options: { followers: number; writes: number; rounds: number }) {
  const by = { userId: people.adminId };
  const [assignee, ...rest] = people.agentIds;
  const followers = rest.slice(0, options.followers);
  if (followers.length < options.followers) throw new UsageError(`--agents must exceed --followers (${options.followers})`);
  const nobody = await createTeam(ctx, { name: 'Bench nobody', memberIds: [], by });
  const make = async (notifying: boolean, i: number) => {
    const customerId = people.customerIds[i]!;
    const { conversation } = await createConversation(ctx, { from: { userId: customerId }, channel: 'ticket', subject: `Bench ${notifying} ${i}`, body: 'Hi' });
    if (notifying) {
      await assignConversation(ctx, { conversation: conversation.id, assigneeId: assignee!, by });
      for (const f of followers) await setFollowing(ctx, { conversation: conversation.id, by: { userId: f }, follow: true });
    } else {
      await updateConversation(ctx, { conversation: conversation.id, teamId: nobody.id, by });
    }
    return { id: conversation.id, customerId };
  };
  // Several conversations per side, taken in turn, as replies spread over an inbox.
  const notifying: { id: number; customerId: number }[] = [];
  const silent: { id: number; customerId: number }[] = [];
  for (let i = 0; i < 8; i++) {
    notifying.push(await make(true, i));
    silent.push(await make(false, 100 + i));
  }
  const reply = (list: { id: number; customerId: number }[]) => (i: number) => {
    const c = list[i % list.length]!;
    return addMessage(ctx, { conversation: c.id, from: { userId: c.customerId }, body: `Reply ${i}: any news on this?` });
  };
  const perRound = Math.max(1, Math.ceil(options.writes / options.rounds));
  const rates = await measureRates({ a: reply(notifying), b: reply(silent) }, { rounds: options.rounds, perRound, warmup: 50 });
  return { notifying: rates.a, silent: rates.b, told: 1 + followers.length, overhead: rates.b.perSecond / rates.a.perSecond - 1, target: 0.3 };
}

async function measureBell(ctx: InboxContext, heavyUserId: number, conversations: { minId: number; maxId: number }, sampling: SampleOptions) {
  const primaryKey = await measurePrimaryKey(ctx, { ...conversations, agentIds: [], teams: [] }, sampling);
  return {
    count: await measureLatency(() => countUnreadNotifications(ctx, heavyUserId), sampling),
    firstPage: await measureLatency(() => listNotifications(ctx, heavyUserId, {}), sampling),
    firstUnreadPage: await measureLatency(() => listNotifications(ctx, heavyUserId, { unread: true }), sampling),
    primaryKey,
    targetP95Ms: 5,
  };
}

async function main(): Promise<void> {
  if (args.help) return console.log(HELP);
  const total = count('notifications');
  const heavyRows = count('heavy-rows');
  const agents = count('agents');
  if (heavyRows > total || agents < 2) throw new UsageError('--heavy-rows must not exceed --notifications, and --agents must be at least 2');
  const sampling = { samples: count('samples'), warmup: count('warmup'), budgetSeconds: count('budget-seconds') };
  const writeOptions = { followers: count('followers'), writes: count('writes'), rounds: Math.max(1, count('rounds')) };
  const target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: args['data-dir'], reuse: false });
  const { store } = target;
  log(`database: ${target.description}`);
  try {
    const ctx = createInboxContext({ store, bus: new EventBus() });
    const now = Date.now();
    const people = await seedPeople(ctx, agents, now);

    log(`seeding ${total.toLocaleString('en')} notifications…`);
    const seeded = await timed(async () => {
      await bulkLoadConversations(store, seedConversations(people, now), { batchSize: 2000 });
      const range = await store.db
        .selectFrom('conversations')
        .select((eb) => [eb.fn.min<number>('id').as('minId'), eb.fn.max<number>('id').as('maxId')])
        .executeTakeFirstOrThrow();
      const ids = (await store.db.selectFrom('conversations').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      await bulkInsertNotifications(
        store,
        seedNotifications({ total, heavyRows, userIds: people.agentIds, conversationIds: ids, actorId: people.adminId, now }),
      );
      return { minId: Number(range.minId), maxId: Number(range.maxId) };
    });
    log(`  seeded in ${seeded.seconds.toFixed(1)} s`);

    // On the seeded table: a reply's upserts meet a million rows' indexes, as in a busy inbox.
    log('measuring addMessage with and without notifying…');
    const add = await measureAddMessage(ctx, people, writeOptions);
    log(
      `  notifying ${add.told}: ${add.notifying.perSecond.toFixed(0)}/s, nobody: ${add.silent.perSecond.toFixed(0)}/s, +${(add.overhead * 100).toFixed(1)} %`,
    );

    log('measuring the bell…');
    const bell = await measureBell(ctx, people.agentIds[0]!, seeded.result, sampling);
    const figures: NotificationFigures = {
      database: store.dialect,
      notifications: total,
      heavyUserRows: heavyRows,
      seedSeconds: seeded.seconds,
      addMessage: add,
      bell,
    };
    printFigures(figures);
    if (args.keep) console.log(`\nkept: ${target.description}`);
    if (args.json) console.log(JSON.stringify(figures));
  } finally {
    await target.finish(args.keep);
  }
}

function printFigures(f: NotificationFigures): void {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const a = f.addMessage;
  console.log(`Notifications bench — ${f.database}`);
  console.log(`addMessage (customer reply), alternating rounds, ${a.notifying.operations} each:`);
  console.log(`  telling ${a.told} (assignee + followers): ${a.notifying.perSecond.toFixed(0)}/s`);
  console.log(`  telling nobody:                      ${a.silent.perSecond.toFixed(0)}/s`);
  console.log(`  notifications add ${(a.overhead * 100).toFixed(1)} % (target ≤ ${a.target * 100} %)${a.overhead <= a.target ? '' : '  ← over target'}`);
  console.log(
    `bell, ${f.notifications.toLocaleString('en')} rows, the measured user's ${f.heavyUserRows.toLocaleString('en')} (seeded in ${f.seedSeconds.toFixed(1)} s):`,
  );
  const line = (name: string, l: Latency) =>
    console.log(
      `  ${name.padEnd(18)} p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  (${l.samples} samples${l.budgetExceeded ? ', budget exceeded' : ''})` +
        (name === 'primary key' ? '' : `  ${(l.p95 / f.bell.primaryKey.p95).toFixed(1)}× pk, target p95 ≤ ${f.bell.targetP95Ms} ms`),
    );
  line('count', f.bell.count);
  line('first page', f.bell.firstPage);
  line('first unread page', f.bell.firstUnreadPage);
  line('primary key', f.bell.primaryKey);
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench: ${error.message}` : error);
  process.exitCode = 1;
});
