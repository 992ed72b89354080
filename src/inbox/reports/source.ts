import type { Store } from '../../store/database.js';
import { type Cell, type Clock, type FactFilters, readFacts, rollupCells } from '../../store/report-queries.js';
import { binOf, isDurationMetric, NO_BIN } from './metrics.js';
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

/** Whether the rollups can answer this request (exported for the tests and the docs' examples). */
export function answeredByRollups(scope: Pick<Scope, 'period' | 'filters'>, groupBy?: Grouping): boolean {
  const dims = new Set(filterDimensions(scope.filters).map(([dim]) => dim));
  if (groupBy) dims.add(groupBy);
  return scope.period.wholeHours && dims.size <= 1;
}

/**
 * The cells of `metrics`: per key of `groupBy` (else key ''), per local slot of `unitMs`
 * (an hour or a day; else slot 0), per bin of the scope's clock.
 */
export async function readCells(scope: Scope, metrics: readonly string[], options: { groupBy?: Grouping; unitMs?: number } = {}): Promise<Cell[]> {
  const { period } = scope;
  if (answeredByRollups(scope, options.groupBy)) {
    const filter = filterDimensions(scope.filters)[0];
    const dimension = options.groupBy ?? filter?.[0] ?? 'all';
    const key = filter?.[0] === dimension ? filter[1] : undefined;
    const base = { metrics, dimension, key, clock: scope.clock };
    if (options.unitMs === undefined) return rollupCells(scope.store.db, { ...base, from: period.from, to: period.to });
    const unitMs = options.unitMs;
    const parts = await Promise.all(
      period.spans.map((span) => rollupCells(scope.store.db, { ...base, from: span.from, to: span.to, slot: { offsetMs: span.offsetMs, unitMs } })),
    );
    // The local day of a DST change has cells in the spans either side of it: one cell each.
    return mergeCells(parts.flat());
  }
  const facts = await readFacts(scope.store.db, { metrics, from: period.from, to: period.to, filters: scope.filters });
  const offsetAt = offsetIn(period);
  const cells: Cell[] = [];
  for (const fact of facts) {
    const keyValue = options.groupBy === 'agent' ? fact.agentId : options.groupBy === 'team' ? fact.teamId : options.groupBy === 'channel' ? fact.channel : '';
    // A fact without an agent (or team) has no row of that dimension in the rollups either.
    if (keyValue === null) continue;
    const at = Number(fact.at);
    const slot = options.unitMs === undefined ? 0 : Math.floor((at + offsetAt(at)) / options.unitMs);
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

/** One cell per (metric, key, slot, bin), counts and sums added up. */
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
  return [...merged.values()];
}
