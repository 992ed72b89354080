import { sql } from 'kysely';
import { createRandom } from '../src/demo/random.js';
import type { InboxContext } from '../src/inbox/context.js';
import { type ConversationQuery, getConversation, getConversations, searchConversations } from '../src/inbox/queries.js';
import type { Store } from '../src/store/database.js';
import { CHANNELS } from '../src/store/schema.js';
import { type Latency, measureLatency, type SampleOptions, timed } from './measure.js';

// Reads measured through the real query functions, with a signed-in viewer as the app
// passes one, so the figures include everything a user's request costs: the page
// query, its counters and the unread marks.

export type ViewFigures = Latency & { vsPrimaryKey: number };
export type DeepPage = ViewFigures & { depth: number; walkSeconds: number };

/** `teams`: the loaded teams (bench/generate.ts TEAMS), each with its members. */
export type Population = { minId: number; maxId: number; agentIds: number[]; teams: { id: number; memberIds: number[] }[] };

/** The loaded teams and their members, by id (a team made by the writes measurement is left out: it has no loaded history). */
export async function loadedTeams(store: Store, names: readonly string[]): Promise<Population['teams']> {
  const teams = await store.db
    .selectFrom('teams')
    .select('id')
    .where('name', 'in', [...names])
    .orderBy('id')
    .execute();
  if (teams.length === 0) return [];
  const members = await store.db
    .selectFrom('team_members')
    .select(['teamId', 'userId'])
    .where(
      'teamId',
      'in',
      teams.map((t) => t.id),
    )
    .orderBy('userId')
    .execute();
  return teams
    .map((t) => ({ id: Number(t.id), memberIds: members.filter((m) => Number(m.teamId) === Number(t.id)).map((m) => Number(m.userId)) }))
    .filter((t) => t.memberIds.length > 0);
}

/** The latency baseline: one conversation by primary key, at random. */
export function measurePrimaryKey(ctx: InboxContext, population: Population, options: SampleOptions): Promise<Latency> {
  const random = createRandom(7);
  const span = population.maxId - population.minId + 1;
  return measureLatency(() => getConversation(ctx, population.minId + random.int(0, span - 1)).catch(() => null), options);
}

type ViewQuery = (i: number) => ConversationQuery;

/** The views the issue asks for; every one filters to a status as the sidebar does. */
export function requiredViews(population: Population): Record<string, ViewQuery> {
  const agent = (i: number) => population.agentIds[i % population.agentIds.length]!;
  return {
    allOpen: (i) => ({ statuses: ['open'], viewerId: agent(i) }),
    mine: (i) => ({ statuses: ['open'], assignee: 'me', viewerId: agent(i) }),
    unassigned: (i) => ({ statuses: ['open'], assignee: 'unassigned', viewerId: agent(i) }),
    channelStatus: (i) => ({ channel: CHANNELS[i % CHANNELS.length], statuses: ['pending'], viewerId: agent(i) }),
    label: (i) => ({ label: 'urgent', statuses: ['open'], viewerId: agent(i) }),
    // GET /api/conversations?team=<id>&status=open, opened by one of the team, from the sidebar's team list.
    ...(population.teams.length > 0 ? { team: teamView(population.teams) } : {}),
  };
}

function teamView(teams: Population['teams']): ViewQuery {
  return (i) => {
    const team = teams[i % teams.length]!;
    const viewer = team.memberIds[Math.floor(i / teams.length) % team.memberIds.length]!;
    return { team: team.id, statuses: ['open'], viewerId: viewer };
  };
}

/** Further views worth watching: not targets, but where a missing index would show first. */
export function extraViews(population: Population): Record<string, ViewQuery> {
  const agent = (i: number) => population.agentIds[i % population.agentIds.length]!;
  return {
    allConversations: (i) => ({ viewerId: agent(i) }),
    openAndPending: (i) => ({ statuses: ['open', 'pending'], viewerId: agent(i) }),
    // The sidebar's Pending leaves the bot's chats out (through partial indexes), and Bot is only those.
    pending: (i) => ({ statuses: ['pending'], handler: 'team', viewerId: agent(i) }),
    bot: (i) => ({ statuses: ['pending'], handler: 'bot', viewerId: agent(i) }),
    labelAnyStatus: (i) => ({ label: 'urgent', viewerId: agent(i) }),
    tagOpen: (i) => ({ tag: 'billing', statuses: ['open'], viewerId: agent(i) }),
    byPriority: (i) => ({ statuses: ['open'], sort: 'priority', viewerId: agent(i) }),
    byCreated: (i) => ({ statuses: ['open'], sort: 'createdAt', viewerId: agent(i) }),
    channelUnassigned: (i) => ({ channel: CHANNELS[i % CHANNELS.length], assignee: 'unassigned', statuses: ['open'], viewerId: agent(i) }),
    // Conversations in no team: a partial index on PostgreSQL (migration 0016).
    noTeam: (i) => ({ team: 'none', statuses: ['open'], viewerId: agent(i) }),
  };
}

export async function measureViews(
  ctx: InboxContext,
  views: Record<string, ViewQuery>,
  baseline: Latency,
  options: SampleOptions,
  log: (line: string) => void,
): Promise<Record<string, ViewFigures>> {
  const out: Record<string, ViewFigures> = {};
  for (const [name, query] of Object.entries(views)) {
    const latency = await measureLatency((i) => getConversations(ctx, query(i)), options);
    out[name] = { ...latency, vsPrimaryKey: latency.p95 / baseline.p95 };
    log(`  ${name}: p95 ${latency.p95.toFixed(2)} ms`);
  }
  return out;
}

/**
 * "A page 1,000 pages deep": follow nextCursor `depth` times once (limit 50) through all
 * conversations, newest first, then time fetching the page at that cursor. A keyset
 * page should cost the same at any depth; an OFFSET would grow with it.
 */
export async function measureDeepPage(ctx: InboxContext, depth: number, viewerId: number, baseline: Latency, options: SampleOptions): Promise<DeepPage> {
  const walk = await timed(async () => {
    let cursor: string | undefined;
    let reached = 0;
    for (; reached < depth; reached++) {
      const page = await getConversations(ctx, { cursor, limit: 50, viewerId });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return { cursor, reached };
  });
  const { cursor, reached } = walk.result;
  const latency = await measureLatency(() => getConversations(ctx, { cursor, limit: 50, viewerId }), options);
  return { ...latency, vsPrimaryKey: latency.p95 / baseline.p95, depth: reached, walkSeconds: walk.seconds };
}

export type SearchFigures = Latency & { word: string; results: number; matchingMessages: number };

export async function measureSearch(ctx: InboxContext, word: string, options: SampleOptions): Promise<SearchFigures> {
  const results = (await searchConversations(ctx, word)).length;
  const latency = await measureLatency(() => searchConversations(ctx, word), options);
  return { ...latency, word, results, matchingMessages: await countMatches(ctx, word) };
}

/** How many messages the word matches, as search reads it (the last word is a prefix): how common it is. */
async function countMatches(ctx: InboxContext, word: string): Promise<number> {
  const query =
    ctx.store.dialect === 'sqlite'
      ? sql<{ n: number }>`select count(*) as n from messages_fts where messages_fts match ${`"${word}"*`}`
      : sql<{ n: number }>`select count(*) as n from messages where search @@ to_tsquery('simple', ${`${word}:*`})`;
  return Number((await query.execute(ctx.store.db)).rows[0]?.n ?? 0);
}
