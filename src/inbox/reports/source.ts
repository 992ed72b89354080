import type { Store } from '../../store/database.js';
import { pairKey } from '../../store/report-facts.js';
import { type Cell, type Clock, type FactFilters, readFacts, rollupCells, rollupKeys } from '../../store/report-queries.js';
import { CHANNELS } from '../../store/schema.js';
import { binOf, DAY_MS, dayOf, HOUR_MS, isDurationMetric, NO_BIN } from './metrics.js';
import { offsetIn, type Period } from './period.js';

// Where a report's numbers come from. The rollups answer when every hour of the period maps
// to one local bucket (a whole-hour zone) and the request touches at most one dimension
// (the filter, or the breakdown's grouping: that is the rollup row's dimension). Anything
// else (a +05:30 zone, a team AND a channel) reads the facts and aggregates them the very
// same way — the same bins, so a median is the same figure whichever path answered it.

export type Grouping = 'agent' | 'team' | 'channel';

export type Scope = { store: Store; period: Period; clock: Clock; filters: FactFilters };

const filterDimensions = (filters: FactFilters): [Grouping, string][] => {
  const dims: [Grouping, string][] = [];
  if (filters.agentId !== undefined) dims.push(['agent', String(filters.agentId)]);
  if (filters.teamId !== undefined) dims.push(['team', String(filters.teamId)]);
  if (filters.channel !== undefined) dims.push(['channel', filters.channel]);
  return dims;
};

/** Which rollup rows answer a request: a dimension, the keys read (all when absent), and how a key reads back. */
type RollupSource = { dimension: string; keys?: readonly string[]; keyOf?: (key: string) => string };

/**
 * The rollup rows that answer a request, or null when only the facts can: a zone whose
 * offset is not whole hours, two dimensions at once — except conversations created by
 * channel for one agent or team, which have their pair rows (store/report-facts.ts).
 */
function rollupSourceOf(scope: Pick<Scope, 'period' | 'filters'>, metrics: readonly string[], groupBy?: Grouping): RollupSource | null {
  if (!scope.period.wholeHours) return null;
  const filters = filterDimensions(scope.filters);
  const dims = new Set(filters.map(([dim]) => dim));
  if (groupBy) dims.add(groupBy);
  // `all` has the one key '': named, so the read is one range of the primary key.
  if (dims.size === 0) return { dimension: 'all', keys: [''] };
  const [filter] = filters;
  // A channel table or chart knows its keys; an agent or team table finds them (rollupCells).
  if (dims.size === 1) {
    const dimension = [...dims][0]!;
    return { dimension, keys: filter ? [filter[1]] : dimension === 'channel' ? CHANNELS : undefined };
  }
  if (dims.size === 2 && filters.length === 1 && groupBy === 'channel' && metrics.every((metric) => metric === 'created')) {
    const [dim, id] = filter!;
    return { dimension: `${dim}_channel`, keys: CHANNELS.map((channel) => pairKey(id, channel)), keyOf: (key) => key.slice(key.indexOf('|') + 1) };
  }
  return null;
}

/** Whether the rollups can answer this request (exported for the tests). */
export function answeredByRollups(scope: Pick<Scope, 'period' | 'filters'>, metrics: readonly string[], groupBy?: Grouping): boolean {
  return rollupSourceOf(scope, metrics, groupBy) !== null;
}

/** Weeks run Monday to Sunday; day 0 of the epoch was a Thursday, 3 days after its week's Monday. */
export const WEEK_MS = 7 * DAY_MS;
const WEEK_SHIFT_DAYS = 3;
const shiftOf = (unitMs: number) => (unitMs === WEEK_MS ? WEEK_SHIFT_DAYS * DAY_MS : 0);
/** The local day slot of a week slot's Monday. */
export const mondayOfWeekSlot = (weekSlot: number) => weekSlot * 7 - WEEK_SHIFT_DAYS;

/** The slot of a local time (ms since the epoch, read as if UTC) in units of `unitMs`: an hour, a day or a week. */
export const localSlot = (localMs: number, unitMs: number) => Math.floor((localMs + shiftOf(unitMs)) / unitMs);

/**
 * The cells of `metrics`: per key of `groupBy` (else key ''), per local slot of `unitMs`
 * (an hour, a day or a week: localSlot; else slot 0), per bin of the scope's clock.
 */
export async function readCells(scope: Scope, metrics: readonly string[], options: { groupBy?: Grouping; unitMs?: number } = {}): Promise<Cell[]> {
  const { period } = scope;
  const source = rollupSourceOf(scope, metrics, options.groupBy);
  if (source) {
    const cells = await fromRollups(scope, { metrics, dimension: source.dimension, keys: source.keys, clock: scope.clock }, options.unitMs);
    const { keyOf } = source;
    return keyOf ? cells.map((cell) => ({ ...cell, key: keyOf(cell.key) })) : cells;
  }
  const facts = await readFacts(scope.store.db, { metrics, from: period.from, to: period.to, filters: scope.filters });
  const offsetAt = offsetIn(period);
  const cells: Cell[] = [];
  for (const fact of facts) {
    const keyValue = options.groupBy === 'agent' ? fact.agentId : options.groupBy === 'team' ? fact.teamId : options.groupBy === 'channel' ? fact.channel : '';
    // A fact without an agent (or team) has no row of that dimension in the rollups either.
    if (keyValue === null) continue;
    const at = Number(fact.at);
    const slot = options.unitMs === undefined ? 0 : localSlot(at + offsetAt(at), options.unitMs);
    // Exactly as store/report-facts.ts bins a fact into its rollup rows.
    const seconds = fact.seconds === null ? null : Number(fact.seconds);
    const businessSeconds = fact.businessSeconds === null ? null : Number(fact.businessSeconds);
    const timed = isDurationMetric(fact.metric) && seconds !== null;
    const bin = scope.clock === 'business' ? (timed && businessSeconds !== null ? binOf(businessSeconds) : NO_BIN) : timed ? binOf(seconds!) : NO_BIN;
    const sum = scope.clock === 'business' ? (businessSeconds ?? 0) : (seconds ?? 0);
    cells.push({ metric: fact.metric, key: String(keyValue), slot, bin, count: 1, sum });
  }
  return mergeCells(cells);
}

type RollupQuery = { metrics: readonly string[]; dimension: string; keys: readonly string[] | undefined; clock: Clock };

/**
 * The cells from the rollups. Hourly slots read the hourly rows. Days (and the weeks and
 * months made of them) and the whole period read the UTC day rows, each day counted in the
 * local slot its midday falls in; the hours of a UTC day that belong to another slot (a
 * zone's offset, a period's edge, a DST change) are then taken from that slot and given to
 * their own, or to none, from the hourly rows: a Berlin day costs a day row and an hour row.
 */
async function fromRollups(scope: Scope, request: RollupQuery, unitMs: number | undefined): Promise<Cell[]> {
  const { store, period } = scope;
  const { db, dialect } = store;
  // Found once for the day and hour reads alike.
  const query = { ...request, keys: request.keys ?? (await rollupKeys(db, request.metrics, request.dimension)) };
  if (unitMs === HOUR_MS) {
    const parts = await Promise.all(
      period.spans.map((span) =>
        rollupCells(db, dialect, { ...query, rows: { span: 1, from: span.from, to: span.to }, slot: { offsetMs: span.offsetMs, unitMs } }),
      ),
    );
    // The local day of a DST change has cells in the spans either side of it: one cell each.
    return mergeCells(parts.flat());
  }
  const offsetAt = offsetIn(period);
  const slotOf = (at: number): number | null => (at < period.from || at >= period.to ? null : unitMs === undefined ? 0 : localSlot(at + offsetAt(at), unitMs));
  const owners = new Map<number, number>();
  const moved = new Map<number, { to: number | null; from: number | null }>();
  for (let day = dayOf(period.from); day < period.to; day += DAY_MS) {
    const owner = slotOf(day + DAY_MS / 2);
    if (owner !== null) owners.set(day, owner);
    for (let hour = day; hour < day + DAY_MS; hour += HOUR_MS) {
      const own = slotOf(hour);
      if (own !== owner) moved.set(hour, { to: own, from: owner });
    }
  }
  const days = [...owners.keys()];
  // Where each UTC day's slot is its own (the zone within 12 hours of UTC), the database
  // sums the days into their slots; otherwise it answers per day and each day goes to its owner.
  const own = unitMs !== undefined && days.every((day) => localSlot(day, unitMs) === owners.get(day));
  const [dayCells, hourCells] = await Promise.all([
    days.length === 0
      ? []
      : rollupCells(db, dialect, {
          ...query,
          rows: { span: 24, from: days[0]!, to: days[days.length - 1]! + DAY_MS },
          // The whole period is one slot: summed by the database.
          ...(unitMs === undefined ? {} : { slot: own ? { offsetMs: shiftOf(unitMs), unitMs } : { offsetMs: 0, unitMs: DAY_MS } }),
        }),
    moved.size === 0 ? [] : rollupCells(db, dialect, { ...query, rows: { span: 1, starts: [...moved.keys()] }, slot: { offsetMs: 0, unitMs: HOUR_MS } }),
  ]);
  const cells: Cell[] = [];
  for (const cell of dayCells) cells.push(unitMs === undefined || own ? cell : { ...cell, slot: owners.get(cell.slot * DAY_MS)! });
  for (const cell of hourCells) {
    const { to, from } = moved.get(cell.slot * HOUR_MS)!;
    if (to !== null) cells.push({ ...cell, slot: to });
    if (from !== null) cells.push({ ...cell, slot: from, count: -cell.count, sum: -cell.sum });
  }
  return mergeCells(cells);
}

/** One cell per (metric, key, slot, bin), counts and sums added up; those that add up to nothing dropped. */
function mergeCells(cells: readonly Cell[]): Cell[] {
  const merged = new Map<string, Cell>();
  for (const cell of cells) {
    const id = `${cell.metric}\u0000${cell.key}\u0000${cell.slot}\u0000${cell.bin}`;
    const into = merged.get(id);
    if (into) {
      into.count += cell.count;
      into.sum += cell.sum;
    } else merged.set(id, { ...cell });
  }
  return [...merged.values()].filter((cell) => cell.count !== 0);
}
