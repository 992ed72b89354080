import { parseArgs } from 'node:util';
import { EventBus } from '../src/inbox/bus.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { createInboxContext, type InboxContext } from '../src/inbox/context.js';
import { bulkInsertUsers } from './bulk-load.js';
import { measureRates, type Rate } from './measure.js';
import { openTarget, wholeNumber } from './target.js';

// `npx tsx bench/report-writes.ts` (issue 19's write target): what the report facts and
// their rollups cost a reply. addMessage — customer and agent replies in turn, so replies
// make first-response and reply-time facts as in a real inbox — through two contexts over
// the same database, one writing facts (as the app does) and one not, in alternating rounds
// of the same run. Target: ≤ 15 % slower with them. Nothing here asserts a timing.

const { values: args } = parseArgs({
  options: {
    writes: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '10' },
    conversations: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const writes = wholeNumber('writes', args.writes);
  const rounds = Math.max(1, wholeNumber('rounds', args.rounds));
  const count = Math.max(2, wholeNumber('conversations', args.conversations));
  const target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: undefined, reuse: false });
  const { store } = target;
  process.stderr.write(`database: ${target.description}\n`);
  try {
    const bus = new EventBus();
    const withFacts = createInboxContext({ store, bus });
    const without = createInboxContext({ store, bus, reportFacts: false });
    const now = Date.now();
    const [agentId] = await bulkInsertUsers(store, [{ name: 'Bench Agent', email: 'agent@report-writes.test', role: 'agent' }], now);
    const customers = await bulkInsertUsers(
      store,
      Array.from({ length: 2 * count }, (_, i) => ({ name: `Customer ${i}`, email: `c${i}@report-writes.test`, role: 'customer' as const })),
      now,
    );
    const make = async (ctx: InboxContext, offset: number) => {
      const list: { id: number; customerId: number }[] = [];
      for (let i = 0; i < count; i++) {
        const customerId = customers[offset + i]!;
        const { conversation } = await createConversation(ctx, { from: { userId: customerId }, channel: 'ticket', subject: `Bench ${offset + i}`, body: 'Hi' });
        list.push({ id: conversation.id, customerId });
      }
      return list;
    };
    const reply = (ctx: InboxContext, list: { id: number; customerId: number }[]) => (i: number) => {
      const c = list[i % list.length]!;
      const from = Math.floor(i / list.length) % 2 === 0 ? { userId: agentId! } : { userId: c.customerId };
      return addMessage(ctx, { conversation: c.id, from, body: `Reply ${i}` });
    };
    const a = await make(withFacts, 0);
    const b = await make(without, count);
    const rates = await measureRates(
      { a: reply(withFacts, a), b: reply(without, b) },
      { rounds, perRound: Math.max(1, Math.ceil(writes / rounds)), warmup: 2 * count },
    );
    const cost = rates.b.perSecond / rates.a.perSecond - 1;
    print(store.dialect, rates.a, rates.b, cost);
    if (args.json) console.log(JSON.stringify({ database: store.dialect, withFacts: rates.a, without: rates.b, cost, target: 0.15 }));
  } finally {
    await target.finish(false);
  }
}

function print(database: string, withFacts: Rate, without: Rate, cost: number): void {
  console.log(`Report writes — ${database}: addMessage, alternating rounds, ${withFacts.operations} each`);
  console.log(`  with facts and rollups: ${withFacts.perSecond.toFixed(0)}/s`);
  console.log(`  without:                ${without.perSecond.toFixed(0)}/s`);
  console.log(`  facts cost ${(cost * 100).toFixed(1)} % (target ≤ 15 %)${cost <= 0.15 ? '' : '  ← over target'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
