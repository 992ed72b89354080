import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/demo/random.js';
import { DomainError } from '../src/errors.js';
import {
  addMessage,
  assignConversation,
  createTeam,
  deleteConversation,
  escalateConversation,
  markAsSpam,
  mergeConversations,
  restoreFromSpam,
  unmergeConversation,
  updateConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { binOf, hourOf, isDurationMetric } from '../src/inbox/reports/metrics.js';
import { rebuildReports } from '../src/inbox/reports/rebuild.js';
import { makeAdmin, makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Issue 19: the rollups equal the raw facts for every hour, dimension, metric and bin after
// 10,000 random commands (replies, notes, status changes, reopens, assignments, team and
// priority changes, handovers, spam and back, merges and unmerges, deletes), and
// `reports rebuild` reproduces facts and rollups exactly.

const inbox = useTestInbox();
const COMMANDS = 10_000;

type Row = Record<string, string | number>;

async function facts(): Promise<Row[]> {
  const rows = await inbox.store.db.selectFrom('report_facts').selectAll().orderBy('id').execute();
  // Everything but the id, as numbers where numbers (PostgreSQL answers bigints as text).
  return rows
    .map(
      ({ id: _id, ...r }) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'key' ? Number(v) : v])) as Row,
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function rollups(): Promise<Row[]> {
  // A row whose facts all went (spam, a delete) stays at zero: it sums to nothing.
  const rows = await inbox.store.db.selectFrom('report_rollups').selectAll().where('count', '>', 0).execute();
  return rows
    .map((r) => ({
      ...r,
      span: Number(r.span),
      start: Number(r.start),
      bin: Number(r.bin),
      count: Number(r.count),
      sum: Number(r.sum),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * The rollups as they must be, written out here on their own: per fact and dimension (type
 * and priority for `created` only), one
 * row for a volume metric (bin -1); for a duration, a calendar bin (from 0) with its seconds
 * and, when it has business seconds, a business bin (from 100) with those.
 */
function expectedRollups(all: Row[]): Row[] {
  const sums = new Map<string, Row>();
  const add = (f: Row, dimension: string, key: string, bin: number, seconds: number) => {
    // Every fact in its UTC hour's row and its UTC day's (migration 0035).
    for (const [span, start] of [
      [1, hourOf(Number(f.at))],
      [24, Math.floor(Number(f.at) / 86_400_000) * 86_400_000],
    ] as const) {
      const id = [f.metric, dimension, key, span, start, bin].join('|');
      const row = sums.get(id) ?? { metric: f.metric!, dimension, key, span, start, bin, count: 0, sum: 0 };
      row.count = Number(row.count) + 1;
      row.sum = Number(row.sum) + seconds;
      sums.set(id, row);
    }
  };
  for (const f of all) {
    const dims: [string, string][] = [
      ['all', ''],
      ['channel', String(f.channel)],
    ];
    if (f.agentId !== null) dims.push(['agent', String(f.agentId)]);
    if (f.teamId !== null) dims.push(['team', String(f.teamId)]);
    // Volume by type and priority: conversations created only.
    if (f.metric === 'created') {
      dims.push(['type', String(f.type)], ['priority', String(f.priority)]);
      // And by channel for one agent or team: the volume chart's filtered series.
      if (f.agentId !== null) dims.push(['agent_channel', `${f.agentId}|${f.channel}`]);
      if (f.teamId !== null) dims.push(['team_channel', `${f.teamId}|${f.channel}`]);
    }
    for (const [dimension, key] of dims) {
      if (!isDurationMetric(String(f.metric)) || f.seconds === null) add(f, dimension, key, -1, 0);
      else {
        add(f, dimension, key, binOf(Number(f.seconds)), Number(f.seconds));
        if (f.businessSeconds !== null) add(f, dimension, key, 100 + binOf(Number(f.businessSeconds)), Number(f.businessSeconds));
      }
    }
  }
  return [...sums.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('report rollups', () => {
  it(`equal the facts after ${COMMANDS.toLocaleString('en')} random commands, and a rebuild reproduces both`, { timeout: 600_000 }, async () => {
    const random = createRandom(19);
    const admin = await makeAdmin(inbox);
    const agents = [await makeAgent(inbox), await makeAgent(inbox), await makeAgent(inbox)];
    const teams = [
      (await createTeam(inbox.ctx, { name: 'Rollup red', memberIds: [agents[0]!.id], by: { userId: admin.id } })).id,
      (await createTeam(inbox.ctx, { name: 'Rollup blue', memberIds: [agents[1]!.id], by: { userId: admin.id } })).id,
    ];
    inbox.clock.now = Date.UTC(2026, 2, 2, 8);
    const live: { id: number; customerId: number; bot: boolean }[] = [];
    const merged: { source: number; target: number }[] = [];
    const pick = <T>(list: readonly T[]) => list[random.int(0, list.length - 1)]!;
    const anyone = () => ({ userId: pick(agents).id });

    for (let i = 0; i < COMMANDS; i++) {
      inbox.clock.advance(random.int(0, 90) * 60_000);
      const roll = random.int(0, 99);
      try {
        if (live.length < 5 || roll < 10) {
          const bot = random.int(0, 3) === 0;
          const { conversation } = await makeConversation(inbox, { channel: bot ? 'chatbot' : pick(['ticket', 'email'] as const), withBot: bot });
          live.push({ id: conversation.id, customerId: conversation.customer.id, bot });
          continue;
        }
        const c = pick(live);
        if (roll < 35) await addMessage(inbox.ctx, { conversation: c.id, from: { userId: c.customerId }, body: `customer ${i}` });
        else if (roll < 60) await addMessage(inbox.ctx, { conversation: c.id, from: anyone(), body: `agent ${i}` });
        else if (roll < 65) await addMessage(inbox.ctx, { conversation: c.id, from: anyone(), body: `note ${i}`, isInternal: true });
        else if (roll < 67) await addMessage(inbox.ctx, { conversation: c.id, from: { bot: 'Bot' }, body: `bot ${i}` });
        else if (roll < 77)
          await updateConversationStatus(inbox.ctx, { conversation: c.id, status: pick(['open', 'pending', 'resolved', 'closed'] as const), by: anyone() });
        else if (roll < 79) await updateConversationStatus(inbox.ctx, { conversation: c.id, status: 'resolved', by: { rule: 'Auto-resolve' } });
        else if (roll < 84)
          await assignConversation(inbox.ctx, { conversation: c.id, assigneeId: random.int(0, 3) === 0 ? null : pick(agents).id, by: { userId: admin.id } });
        else if (roll < 87)
          await updateConversation(inbox.ctx, { conversation: c.id, teamId: random.int(0, 2) === 0 ? null : pick(teams), by: { userId: admin.id } });
        else if (roll < 89)
          await updateConversation(inbox.ctx, { conversation: c.id, priority: pick(['low', 'normal', 'high', 'urgent'] as const), by: { userId: admin.id } });
        else if (roll < 91) await escalateConversation(inbox.ctx, { conversation: c.id, reason: 'asked', by: { bot: 'Bot' } });
        else if (roll < 93) await markAsSpam(inbox.ctx, { conversation: c.id, by: { userId: admin.id } });
        else if (roll < 95) await restoreFromSpam(inbox.ctx, { conversation: c.id, by: { userId: admin.id } });
        else if (roll < 97) {
          const other = pick(live);
          if (other.id === c.id) continue;
          await mergeConversations(inbox.ctx, { source: c.id, into: other.id, by: { userId: admin.id }, confirmDifferentCustomers: true });
          merged.push({ source: c.id, target: other.id });
        } else if (roll < 99 && merged.length > 0) {
          const m = merged.splice(random.int(0, merged.length - 1), 1)[0]!;
          await unmergeConversation(inbox.ctx, { source: m.source, by: { userId: admin.id } });
        } else {
          await deleteConversation(inbox.ctx, { conversation: c.id, by: { userId: admin.id } });
          live.splice(live.indexOf(c), 1);
        }
      } catch (error) {
        // A command the conversation's state refuses (replying in Spam, merging a tombstone…) changes nothing.
        if (!(error instanceof DomainError)) throw error;
      }
    }

    const before = await facts();
    expect(before.length).toBeGreaterThan(COMMANDS / 2);
    expect(new Set(before.map((f) => f.metric))).toEqual(
      new Set([
        'created',
        'reopened',
        'resolved',
        'first_response',
        'reply_time',
        'message_in',
        'message_out',
        'note',
        'handled',
        'bot_resolved',
        'bot_handover',
      ]),
    );
    const rolled = await rollups();
    expect(rolled).toEqual(expectedRollups(before));

    await rebuildReports(inbox.store);
    const after = await facts();
    expect(after).toEqual(before);
    expect(await rollups()).toEqual(rolled);
  });
});
