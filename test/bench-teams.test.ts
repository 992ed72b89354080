import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_TEAM, measureAssignment } from '../bench/assignment-writes.js';
import { TEAMS } from '../bench/generate.js';
import { loadInbox } from '../bench/load.js';
import { verifyConsistency } from '../bench/verify.js';
import { loadedTeams, requiredViews } from '../bench/views.js';
import { createVocabulary } from '../bench/vocabulary.js';
import { getConversations } from '../src/inbox/queries.js';
import { findRule } from '../src/store/assignment.js';
import { useTestInbox } from './support/inbox.js';

// The benchmark's teams (issue 16): the bulk loader puts conversations in teams with the
// counter rows the commands would keep, and the round-robin comparison measures a rule that
// really hands out every create, and leaves it manual. A bench figure on data the commands
// could not have produced, or of a rule that assigned nothing, would measure nothing.

const inbox = useTestInbox();
const vocabulary = createVocabulary();
const CONVERSATIONS = 400;

beforeAll(async () => {
  await loadInbox(inbox.store, { conversations: CONVERSATIONS, messages: 3, seed: 1, batchSize: 150, now: Date.now(), vocabulary }, () => {});
});

async function population() {
  const db = inbox.store.db;
  const agents = await db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').execute();
  const admin = await db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow();
  const range = await db
    .selectFrom('conversations')
    .select((eb) => [eb.fn.min<number>('id').as('lo'), eb.fn.max<number>('id').as('hi')])
    .executeTakeFirstOrThrow();
  return {
    agentIds: agents.map((a) => Number(a.id)),
    adminId: Number(admin.id),
    minId: Number(range.lo),
    maxId: Number(range.hi),
    teams: await loadedTeams(
      inbox.store,
      TEAMS.map((t) => t.name),
    ),
  };
}

describe('bench data with teams', () => {
  it('spreads conversations over the five teams and none, with counters a recount agrees with', async () => {
    expect(await verifyConsistency(inbox.store)).toEqual([]);
    const people = await population();
    expect(people.teams.map((t) => t.memberIds.length)).toEqual([3, 3, 3, 3, 3]);
    const rows = await inbox.store.db.selectFrom('conversations').select(['teamId', 'status']).execute();
    const inTeam = (id: number | null) => rows.filter((r) => (r.teamId === null ? null : Number(r.teamId)) === id).length;
    // The shares of TEAMS, exact over every full hundred conversations.
    expect(people.teams.map((t) => inTeam(t.id))).toEqual(TEAMS.map((t) => (t.share * CONVERSATIONS) / 100));
    expect(inTeam(null)).toBe(CONVERSATIONS / 5);

    const counters = await inbox.store.db.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'like', 'team:%').execute();
    const counted = (key: string) => Number(counters.find((c) => c.key === key)?.n ?? 0);
    for (const team of people.teams) {
      const open = rows.filter((r) => Number(r.teamId) === team.id && r.status === 'open').length;
      expect(open).toBeGreaterThan(0);
      expect(counted(`team:${team.id}:open`)).toBe(open);
    }
  });

  it("measures the team view through the list query: only the team's open conversations", async () => {
    const people = await population();
    const view = requiredViews(people).team;
    expect(view).toBeDefined();
    for (let i = 0; i < people.teams.length; i++) {
      const query = view!(i);
      expect(people.teams[i]!.memberIds).toContain(query.viewerId);
      const page = await getConversations(inbox.ctx, query);
      const open = await inbox.store.db
        .selectFrom('conversations')
        .select('id')
        .where('teamId', '=', people.teams[i]!.id)
        .where('status', '=', 'open')
        .execute();
      expect(open.length).toBeGreaterThan(0);
      expect(page.counts.open).toBe(open.length);
      expect(page.items).toHaveLength(Math.min(50, open.length));
      for (const c of page.items) {
        expect(c.team?.id).toBe(people.teams[i]!.id);
        expect(c.status).toBe('open');
      }
    }
  });

  it('round robin hands out every create with the rule in turn, none without, and is left manual', async () => {
    const people = await population();
    const figures = await measureAssignment(inbox.ctx, people, vocabulary, { operations: 40, rounds: 4 });
    expect(figures.unassignedWithRule).toBe(0);
    // 50 warm-up creates and 40 timed, in turn over three members.
    expect(figures.given).toEqual([30, 30, 30]);
    expect(figures.withRule.operations).toBe(40);
    expect(figures.withoutRule.operations).toBe(40);

    const team = await inbox.store.db.selectFrom('teams').select('id').where('name', '=', BENCH_TEAM).executeTakeFirstOrThrow();
    const created = await inbox.store.db.selectFrom('conversations').select('assignedTo').where('teamId', '=', team.id).execute();
    expect(created).toHaveLength(180);
    expect(created.filter((c) => c.assignedTo === null)).toHaveLength(90);
    expect((await findRule(inbox.store.db, Number(team.id)))?.mode).toBe('manual');
    expect(await verifyConsistency(inbox.store)).toEqual([]);
  });
});
