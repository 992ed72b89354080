// What reports count and measure (issue 19; the definitions are in docs/reports.md and the
// dashboard's tooltips). A fact is one of these metrics; a duration metric carries calendar
// and business seconds, a volume metric only counts.

export const DURATION_METRICS = ['first_response', 'reply_time', 'resolved'] as const;
export const VOLUME_METRICS = ['created', 'reopened', 'message_in', 'message_out', 'note', 'handled', 'bot_resolved', 'bot_handover'] as const;
export const METRICS = [...DURATION_METRICS, ...VOLUME_METRICS] as const;
export type Metric = (typeof METRICS)[number];
export type DurationMetric = (typeof DURATION_METRICS)[number];

export const isDurationMetric = (metric: string): metric is DurationMetric => (DURATION_METRICS as readonly string[]).includes(metric);

export const HOUR_MS = 60 * 60 * 1000;
export const hourOf = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;
export const DAY_MS = 24 * HOUR_MS;
export const dayOf = (at: number): number => Math.floor(at / DAY_MS) * DAY_MS;

// The histogram: bin 0 holds [0, 10 s); bin i ≥ 1 holds [10·r^(i-1), 10·r^i) seconds with
// r = 1.35, up to 30 days and one overflow bin beyond. A percentile read from the bins is
// the bin's geometric middle: within ±17 % of the exact value (exact ones come from the facts).
const FIRST_EDGE = 10;
const RATIO = 1.35;
export const BIN_COUNT = 44;
/** No duration: a volume metric's rows. */
export const NO_BIN = -1;
/** Where the business histogram's bins start in a rollup's `bin` column (the calendar's start at 0). */
export const BUSINESS_BIN_BASE = 100;

export function binOf(seconds: number): number {
  if (seconds < FIRST_EDGE) return 0;
  return Math.min(BIN_COUNT - 1, 1 + Math.floor(Math.log(seconds / FIRST_EDGE) / Math.log(RATIO) + 1e-9));
}

/** The seconds a bin stands for when a percentile falls in it. */
export function binValue(bin: number): number {
  if (bin <= 0) return FIRST_EDGE / 2;
  const low = FIRST_EDGE * RATIO ** (bin - 1);
  return Math.round(Math.sqrt(low * low * RATIO));
}

/** The `q` quantile (0–1) of a histogram given as bin → count; null when empty. */
export function quantileOfBins(bins: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const n of bins.values()) total += n;
  if (total === 0) return null;
  // The nearest-rank definition: the smallest value with at least q of the counts at or below it.
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(bin)!;
    if (seen >= rank) return binValue(bin);
  }
  return null;
}
