import { recordSeen } from '../src/accounts/availability.js';
import { accountsContext } from '../src/accounts/context.js';
import { createRandom } from '../src/demo/random.js';
import { setAssignmentRule } from '../src/inbox/commands/assignment-rules.js';
import { createConversation, createTeam, updateTeam } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import type { AssignmentMode } from '../src/store/schema.js';
import { measureRates, type Rate } from './measure.js';
import type { Population } from './views.js';
import type { Vocabulary } from './vocabulary.js';

// What an assignment rule costs a new conversation (issue 16): `createConversation` of a
// customer's ticket into a team whose rule is round robin, against the same into the same
// team with its rule set to manual. Both look up the channel's team and the team's rule;
// round robin then takes the assignment lock, reads the online members with their loads,
// moves the cursor, and writes the `assigned` event and the assignee's participation.
// Alternating rounds, the rule switched before each, so the machine's load weighs on both.

export const BENCH_TEAM = 'Bench round robin';
const MEMBERS = 3;

export type AssignmentFigures = {
  withRule: Rate;
  withoutRule: Rate;
  /** Time per create with the rule over without it (without's rate over with's). */
  costRatio: number;
  members: number;
  /** Of the creates with the rule (warm-up included), how many each member was given, in member order. */
  given: number[];
  /** Creates with the rule that came back unassigned: none, or the comparison is not of a rule that acts. */
  unassignedWithRule: number;
};

/** The bench's own team: new tickets go to it, its members are the first agents. Made again on a reused database. */
async function benchTeam(ctx: InboxContext, adminId: number, memberIds: number[]): Promise<number> {
  const by = { userId: adminId };
  const existing = await ctx.store.db.selectFrom('teams').select('id').where('name', '=', BENCH_TEAM).executeTakeFirst();
  if (existing) return (await updateTeam(ctx, { id: Number(existing.id), memberIds, channels: ['ticket'], by })).id;
  return (await createTeam(ctx, { name: BENCH_TEAM, memberIds, channels: ['ticket'], by })).id;
}

export async function measureAssignment(
  ctx: InboxContext,
  population: Population & { adminId: number },
  vocabulary: Vocabulary,
  options: { operations: number; rounds: number },
): Promise<AssignmentFigures> {
  const memberIds = population.agentIds.slice(0, MEMBERS);
  const teamId = await benchTeam(ctx, population.adminId, memberIds);
  const accounts = accountsContext(ctx.store, ctx.clock);
  const setRule = (mode: AssignmentMode) =>
    setAssignmentRule(ctx, {
      scope: teamId,
      mode,
      capacity: null,
      capacities: [],
      arrivals: { new: true, reopened: true, handover: true },
      by: { userId: population.adminId },
    });

  const random = createRandom(13);
  const warmup = 50;
  const perRound = Math.max(1, Math.ceil(options.operations / options.rounds));
  const total = warmup + perRound * options.rounds;
  // Returning customers, as most tickets come from; drawn before timing, like the texts.
  const customers = (await ctx.store.db.selectFrom('users').select('id').where('role', '=', 'customer').orderBy('id').limit(2000).execute()).map((u) =>
    Number(u.id),
  );
  if (customers.length === 0) throw new Error('no customers to write as');
  const tickets = Array.from({ length: total }, () => ({
    customer: customers[random.int(0, customers.length - 1)]!,
    subject: vocabulary.sentence(random, 3 + random.int(0, 4)),
    body: vocabulary.sentence(random, 8 + random.int(0, 24)),
  }));
  const create = (i: number) => {
    const t = tickets[i % tickets.length]!;
    return createConversation(ctx, { from: { userId: t.customer }, channel: 'ticket', subject: t.subject, body: t.body });
  };

  const given = new Map(memberIds.map((id) => [id, 0]));
  let unassignedWithRule = 0;
  try {
    const rates = await measureRates(
      {
        a: async (i) => {
          const { conversation } = await create(i);
          if (conversation.assignedTo === null) unassignedWithRule++;
          else given.set(conversation.assignedTo, (given.get(conversation.assignedTo) ?? 0) + 1);
        },
        b: create,
      },
      {
        rounds: options.rounds,
        perRound,
        warmup,
        // Only members seen within the grace are online: refreshed as their open inbox would.
        beforeRound: async (key) => {
          await recordSeen(accounts, memberIds);
          await setRule(key === 'a' ? 'round_robin' : 'manual');
        },
      },
    );
    return {
      withRule: rates.a,
      withoutRule: rates.b,
      costRatio: rates.b.perSecond / rates.a.perSecond,
      members: memberIds.length,
      given: memberIds.map((id) => given.get(id) ?? 0),
      unassignedWithRule,
    };
  } finally {
    // Whatever runs next (the HTTP figures) finds no rule acting.
    await setRule('manual');
  }
}
