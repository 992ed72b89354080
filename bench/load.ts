import type { Store } from '../src/store/database.js';
import { bulkInsertUsers, bulkLoadConversations } from './bulk-load.js';
import { agentUsers, customerUsers, generateConversations, type Person } from './generate.js';
import { timed } from './measure.js';
import type { Vocabulary } from './vocabulary.js';

export type LoadFigures = {
  seconds: number;
  users: number;
  conversations: number;
  messages: number;
  tagRows: number;
  /** Every inserted row (users, conversations, messages, tag rows) per second. */
  rowsPerSecond: number;
  messagesPerSecond: number;
};

/** Seeds the bench database: agents, customers (one per ~3 conversations), then the conversations. */
export async function loadInbox(
  store: Store,
  options: { conversations: number; messages: number; seed: number; batchSize: number; now: number; vocabulary: Vocabulary },
  log: (line: string) => void,
): Promise<LoadFigures> {
  const { result, seconds } = await timed(async () => {
    const agentSeeds = agentUsers();
    const customerSeeds = customerUsers(Math.max(1, Math.ceil(options.conversations / 3)));
    const agentIds = await bulkInsertUsers(store, agentSeeds, options.now);
    const customerIds = await bulkInsertUsers(store, customerSeeds, options.now);
    const people = (seeds: typeof agentSeeds, ids: number[]): Person[] => seeds.map((s, i) => ({ id: ids[i]!, name: s.name, email: s.email }));
    const started = Date.now();
    let lastLog = started;
    const done = await bulkLoadConversations(
      store,
      generateConversations({
        conversations: options.conversations,
        messagesPerConversation: options.messages,
        agents: people(agentSeeds, agentIds),
        customers: people(customerSeeds, customerIds),
        vocabulary: options.vocabulary,
        seed: options.seed,
        now: options.now,
      }),
      {
        batchSize: options.batchSize,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastLog < 10_000 && p.conversations < options.conversations) return;
          lastLog = now;
          const rate = p.messages / ((now - started) / 1000);
          log(
            `  loaded ${p.conversations.toLocaleString('en')} conversations, ${p.messages.toLocaleString('en')} messages (${Math.round(rate).toLocaleString('en')} messages/s)`,
          );
        },
      },
    );
    return { ...done, users: agentSeeds.length + customerSeeds.length };
  });
  const rows = result.users + result.conversations + result.messages + result.tagRows;
  return { seconds, ...result, rowsPerSecond: rows / seconds, messagesPerSecond: result.messages / seconds };
}
