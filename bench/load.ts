import { EventBus } from '../src/inbox/bus.js';
import { createTeam } from '../src/inbox/commands.js';
import { createInboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import { bulkInsertUsers, bulkLoadConversations } from './bulk-load.js';
import { ADMIN, agentUsers, customerUsers, generateConversations, type Person, TEAMS, teamMemberIndexes } from './generate.js';
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

/** Seeds the bench database: an admin, agents, customers (one per ~3 conversations), the teams, then the conversations. */
export async function loadInbox(
  store: Store,
  options: { conversations: number; messages: number; seed: number; batchSize: number; now: number; vocabulary: Vocabulary },
  log: (line: string) => void,
): Promise<LoadFigures> {
  const { result, seconds } = await timed(async () => {
    const agentSeeds = agentUsers();
    const customerSeeds = customerUsers(Math.max(1, Math.ceil(options.conversations / 3)));
    const [adminId] = await bulkInsertUsers(store, [ADMIN], options.now);
    const agentIds = await bulkInsertUsers(store, agentSeeds, options.now);
    const customerIds = await bulkInsertUsers(store, customerSeeds, options.now);
    // A handful of rows, so through the command an admin would use: the loader writes only what
    // comes in bulk.
    const ctx = createInboxContext({ store, bus: new EventBus() });
    const teamIds: number[] = [];
    for (const [k, team] of TEAMS.entries()) {
      const memberIds = teamMemberIndexes(k).map((a) => agentIds[a]!);
      teamIds.push((await createTeam(ctx, { name: team.name, memberIds, by: { userId: adminId! } })).id);
    }
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
        teams: teamIds,
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
    return { ...done, users: 1 + agentSeeds.length + customerSeeds.length };
  });
  const rows = result.users + result.conversations + result.messages + result.tagRows;
  return { seconds, ...result, rowsPerSecond: rows / seconds, messagesPerSecond: result.messages / seconds };
}
