import { performance } from 'node:perf_hooks';

// Timing helpers. The machine is shared, so every figure is a distribution (p50 / p95 /
// p99 of many samples after a warm-up) or a rate over many operations, and the report
// sets it next to a baseline measured in the same run. Nothing here asserts a timing.

export type Latency = {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  /** Sampling stopped at the time budget, with fewer samples than asked: the operation is very slow. */
  budgetExceeded: boolean;
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(durations: readonly number[], budgetExceeded = false): Latency {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    budgetExceeded,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, d) => s + d, 0) / Math.max(1, sorted.length),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export type SampleOptions = {
  samples: number;
  warmup: number;
  /** Wall-clock limit for one measurement, warm-up included, so a pathological query cannot stall the run. */
  budgetSeconds: number;
};

/**
 * Runs `operation(i)` `warmup` times untimed (statement caches, page cache, JIT), then
 * `samples` times timed one at a time, in milliseconds. Past the time budget it stops
 * early and says so: a query that slow is the finding, its exact p99 is not.
 */
export async function measureLatency(operation: (i: number) => Promise<unknown>, options: SampleOptions): Promise<Latency> {
  const deadline = performance.now() + options.budgetSeconds * 1000;
  let i = 0;
  for (; i < options.warmup && (i === 0 || performance.now() < deadline); i++) await operation(i);
  const durations: number[] = [];
  while (durations.length < options.samples) {
    if (durations.length > 0 && performance.now() > deadline) return summarize(durations, true);
    const started = performance.now();
    await operation(i++);
    durations.push(performance.now() - started);
  }
  return summarize(durations);
}

export type Rate = { operations: number; seconds: number; perSecond: number };

/**
 * Rates of two operations measured in alternating rounds, so that a noisy neighbour
 * slows both about equally and their ratio stays meaningful.
 */
export async function measureRates(
  operations: { a: (i: number) => Promise<unknown>; b: (i: number) => Promise<unknown> },
  options: {
    rounds: number;
    perRound: number;
    warmup: number;
    /**
     * Untimed, before each round (and each operation's warm-up): what the round's operation
     * needs set first, such as a setting the two compare. With it the warm-up runs as one
     * block per operation instead of interleaved.
     */
    beforeRound?: (key: 'a' | 'b') => Promise<void>;
  },
): Promise<{ a: Rate; b: Rate }> {
  const { beforeRound } = options;
  if (beforeRound) {
    for (const key of ['a', 'b'] as const) {
      await beforeRound(key);
      for (let i = 0; i < options.warmup; i++) await operations[key](i);
    }
  } else {
    for (let i = 0; i < options.warmup; i++) {
      await operations.a(i);
      await operations.b(i);
    }
  }
  const totals = { a: 0, b: 0 };
  let counter = options.warmup;
  for (let round = 0; round < options.rounds; round++) {
    for (const key of round % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      await beforeRound?.(key);
      const started = performance.now();
      for (let i = 0; i < options.perRound; i++) await operations[key](counter++);
      totals[key] += performance.now() - started;
    }
  }
  const rate = (ms: number): Rate => {
    const count = options.rounds * options.perRound;
    return { operations: count, seconds: ms / 1000, perSecond: count / (ms / 1000) };
  };
  return { a: rate(totals.a), b: rate(totals.b) };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}
