import { createRandom } from '../src/demo/random.js';
import { addMessage } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import { measureRates, type Rate } from './measure.js';
import type { Population } from './views.js';
import type { Vocabulary } from './vocabulary.js';

// addMessage, the hottest write, against the cheapest write the database can do: one
// message-shaped row in its own implicit transaction through the same Kysely instance.
// Their ratio is what the command's bookkeeping (lock, counters, tag rows, events,
// outbox) costs, largely independent of how busy the machine is.

export type WriteFigures = {
  addMessage: Rate;
  rawInsert: Rate;
  /** addMessage rate / raw insert rate. */
  ratio: number;
};

const RAW_SENDER = 'bench raw insert';

export async function measureWrites(
  ctx: InboxContext,
  population: Population,
  vocabulary: Vocabulary,
  options: { operations: number; rounds: number },
): Promise<WriteFigures> {
  const random = createRandom(11);
  const db = ctx.store.db;
  const span = population.maxId - population.minId + 1;
  const warmup = 50;
  const perRound = Math.max(1, Math.ceil(options.operations / options.rounds));
  const total = warmup + perRound * options.rounds;

  // Targets and bodies are drawn before timing, so only the writes are measured.
  const sampleIds = Array.from({ length: total }, () => population.minId + random.int(0, span - 1));
  const customers = new Map<number, number>();
  for (let i = 0; i < sampleIds.length; i += 500) {
    const rows = await db
      .selectFrom('conversations')
      .select(['id', 'customerId'])
      .where('id', 'in', sampleIds.slice(i, i + 500))
      .execute();
    for (const row of rows) customers.set(Number(row.id), Number(row.customerId));
  }
  const targets = sampleIds.filter((id) => customers.has(id));
  if (targets.length === 0) throw new Error('no conversations to write to');
  const bodies = Array.from({ length: total }, () => vocabulary.sentence(random, 8 + random.int(0, 24)));
  const agent = (i: number) => population.agentIds[i % population.agentIds.length]!;
  const target = (i: number) => targets[i % targets.length]!;

  const touched = new Set<number>();
  const rates = await measureRates(
    {
      // Customer and agent take turns, so statuses move back and forth as in real use.
      a: (i) => {
        const conversation = target(i);
        const from = i % 2 === 0 ? { userId: customers.get(conversation)! } : { userId: agent(i) };
        return addMessage(ctx, { conversation, from, body: bodies[i % bodies.length]! });
      },
      b: (i) => {
        const conversationId = target(i);
        touched.add(conversationId);
        const now = Date.now();
        return db
          .insertInto('messages')
          .values({
            conversationId,
            senderId: null,
            senderType: 'bot',
            senderName: RAW_SENDER,
            senderEmail: null,
            body: bodies[i % bodies.length]!,
            htmlBody: null,
            isInternal: 0,
            externalKey: null,
            sentAt: now,
            readAt: null,
            createdAt: now,
          })
          .execute();
      },
    },
    { rounds: options.rounds, perRound, warmup },
  );

  // The raw rows bypassed the conversation's bookkeeping; remove them so a kept
  // database stays consistent.
  const ids = [...touched];
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .deleteFrom('messages')
      .where('conversationId', 'in', ids.slice(i, i + 500))
      .where('senderName', '=', RAW_SENDER)
      .execute();
  }
  return { addMessage: rates.a, rawInsert: rates.b, ratio: rates.a.perSecond / rates.b.perSecond };
}
