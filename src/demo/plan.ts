import type { Channel, ConversationType, Label, Priority, Status } from '../store/schema.js';
import { DEMO_AGENTS, type DemoCustomer, makeCustomers } from './people.js';
import { createRandom, type Random } from './random.js';
import {
  BOT_ANSWERS,
  BOT_GOODBYES,
  BOT_HANDOVERS,
  fill,
  SCENARIOS,
  type Scenario,
  type Vars,
  VISITOR_HELPED,
  VISITOR_WANTS_HUMAN,
  type Who,
} from './scenarios.js';

// Decides the whole demo inbox up front, as timed steps per conversation: who writes what
// and when, who assigns, labels and closes it. Pure and seeded, so a test can know what
// the writer will produce; the writer only replays the steps through the inbox commands.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The oldest conversation starts about this long ago. */
const SPAN = 30 * DAY;
/** No step lands closer to "now" than this, so nothing is in the future by the time it is written. */
const MARGIN = MINUTE;
const MAX_MESSAGES = 8;

/** Who acts: one of the demo agents (by index), the admin, or the chat bot. */
export type By = { agent: number } | 'admin' | 'bot';

export type Step =
  | { at: number; kind: 'message'; from: 'customer' | 'bot' | { agent: number }; body: string; internal: boolean }
  | { at: number; kind: 'read'; agent: number }
  | { at: number; kind: 'assign'; agent: number; by: By }
  | { at: number; kind: 'priority'; priority: Priority; by: By }
  | { at: number; kind: 'label'; labels: Label[]; tags?: string[]; by: By }
  | { at: number; kind: 'status'; status: Status; by: By };

export type PlannedConversation = {
  scenario: string;
  channel: Channel;
  type: ConversationType;
  subject: string;
  customer: number;
  /** The first step is the first message: it creates the conversation. */
  steps: Step[];
  /** What the steps leave behind, for the summary and the tests. */
  status: Status;
  assignee: number | null;
};

export type DemoPlan = { customers: DemoCustomer[]; conversations: PlannedConversation[] };

export type PlanOptions = { seed?: number; now: number; conversations?: number; customers?: number };

export function planDemo(options: PlanOptions): DemoPlan {
  const random = createRandom(options.seed ?? 1);
  const count = options.conversations ?? 200;
  const customers = makeCustomers(random, Math.min(options.customers ?? 120, count));
  const owners = customerOrder(random, customers.length, count);
  const ages = conversationAges(random, count);
  const conversations = ages.map((age, i) => planConversation(random, options.now, age, customers[owners[i]!]!, owners[i]!));
  return { customers, conversations };
}

/** Every customer writes at least once; some come back, a few of them often. */
function customerOrder(random: Random, customers: number, conversations: number): number[] {
  const regulars = Math.max(1, Math.floor(customers / 3));
  const repeats = Array.from({ length: conversations - customers }, () => (random.chance(0.7) ? random.int(0, regulars - 1) : random.int(0, customers - 1)));
  return random.shuffle([...Array.from({ length: customers }, (_, i) => i), ...repeats]);
}

/** Oldest first, denser towards now (an inbox is busiest with what just came in); the newest a few minutes old. */
function conversationAges(random: Random, count: number): number[] {
  const ages = Array.from({ length: count }, () => Math.max(10 * MINUTE, SPAN * random.next() ** 2.2)).sort((a, b) => b - a);
  const newest = [52 * MINUTE, 19 * MINUTE, 4 * MINUTE];
  newest.forEach((age, k) => {
    const i = count - newest.length + k;
    if (i >= 0) ages[i] = Math.min(ages[i]!, age);
  });
  return ages;
}

/** A duration between `min` and `max`, evenly spread on a log scale: most replies are quick, some take long. */
function between(random: Random, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min))));
}

const PRODUCTS = [
  { name: 'Lumen Hub', price: '$129.00' },
  { name: 'Lumen Bulb Pro', price: '$24.99' },
  { name: 'Lumen Motion Sensor', price: '$39.00' },
  { name: 'Lumen Smart Plug', price: '$19.99' },
  { name: 'Lumen Doorbell Cam', price: '$179.00' },
  { name: 'Lumen Thermostat', price: '$149.00' },
  { name: 'Lumen Door Lock', price: '$219.00' },
];
const PLANS = [
  { name: 'Plus', price: '$4.99' },
  { name: 'Family', price: '$9.99' },
  { name: 'Business', price: '$29.00' },
];
const SYSTEMS = ['iOS 18.3', 'iOS 17.6', 'Android 15', 'Android 14 (Pixel 7)', 'Android 14 (Galaxy S23)'];

function sharedVars(random: Random, now: number, customer: DemoCustomer, agent: number): Vars {
  const product = random.pick(PRODUCTS);
  const plan = random.pick(PLANS);
  const minor = random.int(12, 19);
  const patch = random.int(0, 4);
  const resume = new Date(now);
  resume.setUTCMonth(resume.getUTCMonth() + 6);
  const agentName = DEMO_AGENTS[agent]!.name;
  return {
    first: customer.first,
    name: customer.name,
    company: customer.company,
    agent: agentName.split(' ')[0]!,
    agentName,
    product: product.name,
    price: product.price,
    plan: plan.name,
    planPrice: plan.price,
    order: `LU-${random.int(100_000, 999_999)}`,
    invoice: `INV-${new Date(now).getUTCFullYear()}-${random.int(1000, 9999)}`,
    last4: String(random.int(1000, 9999)),
    version: `3.${minor}.${patch}`,
    nextVersion: `3.${minor}.${patch + 1}`,
    os: random.pick(SYSTEMS),
    seats: String(random.int(8, 60)),
    resumeMonth: resume.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' }),
  };
}

/** The status a conversation ends in: new ones wait for the team, old ones are mostly done. */
function targetStatus(random: Random, age: number): Status {
  if (age < 2 * HOUR) return 'open';
  if (age < DAY) return random.weighted({ open: 50, pending: 35, resolved: 15 });
  if (age < 7 * DAY) return random.weighted({ open: 25, pending: 30, resolved: 30, closed: 15 });
  return random.weighted({ open: 5, pending: 8, resolved: 37, closed: 50 });
}

/** One message to be: who writes it, the text, and whether the thread may stop right after it. */
type Entry = { by: Who | 'bot'; text: string; canEnd: boolean };

function customerText(random: Random, channel: Channel, text: string, vars: Vars, first: boolean): string {
  if (channel === 'chatbot') return text;
  if (channel === 'ticket') return random.chance(0.4) ? `${text}\n\n${vars.first}` : text;
  const greeting = first
    ? random.pick(['Hi,', 'Hello,', 'Hi there,', 'Hello Lumen team,', 'Dear support team,'])
    : random.pick([`Hi ${vars.agent},`, `Hello ${vars.agent},`, 'Hi,']);
  const signoff = random.pick(['Thanks,', 'Best,', 'Kind regards,', 'Cheers,', 'Thank you,']);
  if (!first && random.chance(0.3)) return `${text}\n\n${vars.first}`;
  return `${greeting}\n\n${text}\n\n${signoff}\n${first ? vars.name : vars.first}`;
}

function agentText(random: Random, channel: Channel, text: string, vars: Vars, first: boolean): string {
  if (channel === 'chatbot') return first ? `Hi ${vars.first}, this is ${vars.agent} from the Lumen team. ${text}` : text;
  if (channel === 'ticket') return `Hi ${vars.first},\n\n${text}\n\n${vars.agent}`;
  const signoff = random.pick(['Best regards,', 'Best,', 'Kind regards,', 'All the best,']);
  return `Hi ${vars.first},\n\n${text}\n\n${signoff}\n${vars.agentName}\nLumen Support`;
}

/** The scenario's thread as written on this channel; on the chat widget the bot answers first. */
function threadFor(random: Random, scenario: Scenario, channel: Channel, vars: Vars, status: Status): { entries: Entry[]; botSolved: boolean } {
  const entries: Entry[] = [];
  let botSolved = false;
  let turns = scenario.turns;
  if (channel === 'chatbot') {
    const opening = scenario.chatOpening ?? scenario.turns[0]!.text;
    entries.push({ by: 'customer', text: fill(random.pick(opening), vars), canEnd: false });
    entries.push({ by: 'bot', text: fill(random.pick(BOT_ANSWERS), { ...vars, article: scenario.article }), canEnd: true });
    if (status === 'resolved' && random.chance(0.4)) {
      botSolved = true;
      entries.push({ by: 'customer', text: random.pick(VISITOR_HELPED), canEnd: false }, { by: 'bot', text: random.pick(BOT_GOODBYES), canEnd: true });
      return { entries, botSolved };
    }
    entries.push({ by: 'customer', text: random.pick(VISITOR_WANTS_HUMAN), canEnd: false }, { by: 'bot', text: random.pick(BOT_HANDOVERS), canEnd: true });
    turns = scenario.turns.slice(1);
  }
  let customerSpoke = entries.some((e) => e.by === 'customer');
  let agentSpoke = false;
  for (const turn of turns) {
    if (entries.length >= MAX_MESSAGES) break;
    const text = fill(random.pick(turn.text), vars);
    if (turn.by === 'customer') {
      entries.push({ by: 'customer', text: customerText(random, channel, text, vars, !customerSpoke && !agentSpoke), canEnd: true });
      customerSpoke = true;
    } else if (turn.by === 'agent') {
      entries.push({ by: 'agent', text: agentText(random, channel, text, vars, !agentSpoke), canEnd: customerSpoke });
      agentSpoke = true;
    } else if (entries.length > 0 && random.chance(0.75)) {
      entries.push({ by: 'note', text, canEnd: false });
    }
  }
  return { entries, botSolved };
}

/** Where the thread stops so that its last public message fits the status it ends in. */
function cutFor(random: Random, entries: Entry[], status: Status, age: number): number {
  const lastPublic = (end: number) =>
    entries
      .slice(0, end)
      .filter((e) => e.by !== 'note')
      .at(-1)!.by;
  const ends = entries.map((_, i) => i + 1).filter((end) => entries[end - 1]!.canEnd);
  const fitting = ends.filter((end) => {
    const last = lastPublic(end);
    if (status === 'open') return last === 'customer' || last === 'bot';
    if (status === 'pending') return last === 'agent';
    // Done: either the whole story, or the customer went quiet after an answer.
    return end === entries.length || (last === 'agent' && end >= 4);
  });
  const candidates = fitting.length ? fitting : ends;
  if (age < 2 * HOUR) return candidates[0]!;
  if (age < DAY) return random.pick(candidates.slice(0, 2));
  if (status === 'resolved' || status === 'closed') return random.chance(0.7) ? candidates.at(-1)! : random.pick(candidates);
  return random.pick(candidates);
}

/** How long after the previous message this one comes: a chat takes minutes, an email thread days. */
function gap(random: Random, channel: Channel, previous: Entry['by'], next: Entry['by']): number {
  if (channel === 'chatbot') {
    if (next === 'bot') return between(random, 2 * SECOND, 8 * SECOND);
    if (previous === 'bot' && next === 'customer') return between(random, 15 * SECOND, 90 * SECOND);
    if (previous === 'bot') return between(random, 40 * SECOND, 5 * MINUTE);
    if (next === 'note' || previous === 'note') return between(random, 30 * SECOND, 3 * MINUTE);
    return between(random, 20 * SECOND, 3 * MINUTE);
  }
  if (next === 'note') return between(random, 2 * MINUTE, 25 * MINUTE);
  if (previous === 'note') return between(random, 3 * MINUTE, 40 * MINUTE);
  if (next === 'agent') return between(random, 6 * MINUTE, 4 * HOUR);
  return between(random, 15 * MINUTE, 20 * HOUR);
}

function planConversation(random: Random, now: number, age: number, customer: DemoCustomer, customerIndex: number): PlannedConversation {
  const scenario = random.weighted(Object.fromEntries(SCENARIOS.map((s) => [s.key, s.weight]))) as string;
  const s = SCENARIOS.find((candidate) => candidate.key === scenario)!;
  const channel = random.weighted(s.channels) as Channel;
  const agent = random.weighted(Object.fromEntries(DEMO_AGENTS.map((a, i) => [String(i), a.weight]))) as string;
  const agentIndex = Number(agent);
  const vars = sharedVars(random, now, customer, agentIndex);
  if (s.vars) Object.assign(vars, s.vars(random, vars));
  const subject = fill(random.pick(s.subjects), vars);
  const priority = random.weighted(s.priorities) as Priority;
  let status = targetStatus(random, age);
  const { entries, botSolved } = threadFor(random, s, channel, vars, status);
  const thread = entries.slice(0, cutFor(random, entries, status, age));
  const last = thread.filter((e) => e.by !== 'note').at(-1)!.by;
  // The thread decides when it could not be cut to fit: an answered one waits on the customer.
  if (status === 'open' && last === 'agent') status = 'pending';
  if (status === 'pending' && last !== 'agent') status = 'open';

  const start = now - age;
  const me: By = { agent: agentIndex };
  const triage: By = random.chance(0.4) ? 'admin' : me;
  const steps: Step[] = [];
  let labels: Label[] = [];
  if (priority === 'urgent' || (priority === 'high' && random.chance(0.3))) labels = ['urgent'];
  const handled = thread.some((e) => e.by === 'agent' || e.by === 'note');
  let assigned = false;
  /** Assigns and sorts the conversation at `from`, spreading the steps over `window`. */
  const triageAt = (from: number, window: number, by: By) => {
    steps.push({ at: from, kind: 'assign', agent: agentIndex, by });
    steps.push({ at: from + Math.round(window * 0.1), kind: 'label', labels, tags: [...s.tags], by });
    if (priority !== 'normal') steps.push({ at: from + Math.round(window * 0.2), kind: 'priority', priority, by });
    assigned = true;
  };

  let sent = 0;
  thread.forEach((entry, i) => {
    const at = i === 0 ? 0 : sent + gap(random, channel, thread[i - 1]!.by, entry.by);
    const since = steps.at(-1)?.at ?? 0;
    const team = entry.by === 'agent' || entry.by === 'note';
    // Someone takes the conversation before its first answer, and reads it before replying.
    if (team && !assigned && i > 0) triageAt(since + Math.round((at - since) * (0.2 + 0.3 * random.next())), at - since, triage);
    if (entry.by === 'agent' && i > 0)
      steps.push({ at: at - Math.round((at - (steps.at(-1)?.at ?? 0)) * (0.1 + 0.3 * random.next())), kind: 'read', agent: agentIndex });
    steps.push({
      at,
      kind: 'message',
      from: entry.by === 'customer' ? 'customer' : entry.by === 'bot' ? 'bot' : me,
      body: entry.text,
      internal: entry.by === 'note',
    });
    // An agent who starts a conversation takes it at once.
    if (team && !assigned && i === 0) triageAt(2 * SECOND, 40 * SECOND, me);
    sent = Math.max(at, steps.at(-1)!.at);
  });
  let end = sent;

  if (!handled && !botSolved && random.chance(0.4)) {
    // Triaged but not answered yet: an admin has already given it to someone.
    const at = end + between(random, 2 * MINUTE, 40 * MINUTE);
    if (at + MINUTE < age - MARGIN) {
      triageAt(at, MINUTE, 'admin');
      end = steps.at(-1)!.at;
    }
  } else if (!handled && random.chance(0.3)) {
    const at = end + between(random, 2 * MINUTE, 30 * MINUTE);
    if (at < age - MARGIN) {
      steps.push({ at, kind: 'label', labels, tags: [...s.tags], by: 'admin' });
      end = at;
    }
  }
  const follower: By = assigned ? me : 'admin';
  if ((status === 'pending' && random.chance(0.45)) || (status === 'open' && age > DAY && random.chance(0.3))) {
    labels = [...labels, 'follow-up'];
    end += between(random, 30 * SECOND, 10 * MINUTE);
    steps.push({ at: end, kind: 'label', labels, by: follower });
  }
  if (status === 'resolved' || status === 'closed') {
    const by: By = botSolved ? 'bot' : follower;
    const wait = botSolved
      ? between(random, 10 * SECOND, 40 * SECOND)
      : last === 'customer'
        ? between(random, 5 * MINUTE, 3 * HOUR)
        : between(random, DAY, 3 * DAY);
    // A young conversation was closed sooner than "after a few quiet days", not squeezed into its age.
    end += Math.min(wait, Math.max(0.7 * (age - MARGIN - end), 5 * MINUTE));
    // Whoever closes it has read the customer's last word.
    if (typeof by === 'object' && last === 'customer') steps.push({ at: end - between(random, 10 * SECOND, 2 * MINUTE), kind: 'read', agent: by.agent });
    steps.push({ at: end, kind: 'status', status, by });
    if (!botSolved && random.chance(0.5)) {
      labels = [...labels.filter((l) => l !== 'follow-up'), 'resolved'];
      steps.push({ at: end + between(random, 5 * SECOND, 30 * SECOND), kind: 'label', labels, by });
    }
  }

  return {
    scenario,
    channel,
    type: s.type,
    subject,
    customer: customerIndex,
    steps: placeInTime(steps, start, now - MARGIN),
    status,
    assignee: assigned ? agentIndex : null,
  };
}

/**
 * Turns offsets into timestamps from `start`, squeezing the thread when it would run past
 * `limit`: a young conversation cannot have replies from tomorrow. Keeps steps strictly
 * in order, one millisecond apart at least, so the commands see time move forward.
 */
function placeInTime(steps: Step[], start: number, limit: number): Step[] {
  const sorted = steps.map((step, i) => ({ step, i })).sort((a, b) => a.step.at - b.step.at || a.i - b.i);
  const span = Math.max(1, sorted.at(-1)!.step.at - sorted[0]!.step.at);
  const first = sorted[0]!.step.at;
  const scale = start + span > limit ? Math.max(0, limit - start) / span : 1;
  let previous = -Infinity;
  return sorted.map(({ step }) => {
    const at = Math.max(Math.round(start + (step.at - first) * scale), previous + 1);
    previous = at;
    return { ...step, at };
  });
}
