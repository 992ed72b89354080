import type { CsatStatsJson, DurationStatsJson } from '../../present/report-schemas.js';
import type { CsatCell } from '../../store/report-csat.js';
import type { Cell } from '../../store/report-queries.js';
import { quantileOfBins } from './metrics.js';

// Figures from cells: counts, and a duration's median and p90 from the histogram bins
// (the bin's geometric middle: within ±17 % of the exact value), its average from the sums.
// A duration counts only where it has a value in the clock asked for (a fact recorded
// without a business duration is left out of the business figures, not counted as 0).

export function countOf(cells: readonly Cell[], metric: string): number {
  let n = 0;
  for (const cell of cells) if (cell.metric === metric) n += cell.count;
  return n;
}

export function durationOf(cells: readonly Cell[], metric: string): DurationStatsJson {
  const bins = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const cell of cells) {
    if (cell.metric !== metric || cell.bin < 0) continue;
    bins.set(cell.bin, (bins.get(cell.bin) ?? 0) + cell.count);
    count += cell.count;
    sum += cell.sum;
  }
  return {
    count,
    median: quantileOfBins(bins, 0.5),
    p90: quantileOfBins(bins, 0.9),
    average: count === 0 ? null : Math.round(sum / count),
  };
}

export const EMPTY_CSAT: CsatStatsJson = { sent: 0, responses: 0, responseRate: null, score: null, average: null, distribution: [0, 0, 0, 0, 0] };

export function csatOf(cell: CsatCell | undefined): CsatStatsJson {
  if (!cell || cell.sent === 0) return EMPTY_CSAT;
  const rated = cell.distribution.reduce((a, b) => a + b, 0);
  return {
    sent: cell.sent,
    responses: cell.responses,
    responseRate: cell.responses / cell.sent,
    score: rated === 0 ? null : (cell.distribution[3] + cell.distribution[4]) / rated,
    average: rated === 0 ? null : cell.ratingSum / rated,
    distribution: [...cell.distribution],
  };
}

/** Cells split by a function of theirs (a key, a bucket), each group in its own list. */
export function groupCells<K>(cells: readonly Cell[], by: (cell: Cell) => K): Map<K, Cell[]> {
  const groups = new Map<K, Cell[]>();
  for (const cell of cells) {
    const key = by(cell);
    const group = groups.get(key);
    if (group) group.push(cell);
    else groups.set(key, [cell]);
  }
  return groups;
}
