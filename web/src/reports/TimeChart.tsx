import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';
import { Failed } from '../ui/states';

// One time-series chart drawn by uPlot (a small canvas chart library, ~20 kB gzipped), loaded
// with the first chart rather than with the inbox. Buckets are the report zone's local
// days and hours, given as UTC times and drawn in UTC, so the labels are the zone's.

export type ChartSeries = { label: string; color: string; values: (number | null)[] };

const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];

type ChartProps = {
  /** What the chart shows, for screen readers (the card's heading shows it to everyone). */
  label: string;
  /** Bucket times in seconds. */
  x: number[];
  series: ChartSeries[];
  format(value: number): string;
  /** Whole numbers on the y axis. */
  counts?: boolean;
  height?: number;
};

/** The chart, or what went wrong loading uPlot with a retry (a new attempt mounts a new canvas). */
export function TimeChart(props: ChartProps) {
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  if (error)
    return (
      <Failed
        what="the chart"
        error={error}
        retry={() => {
          setError(null);
          setAttempt((n) => n + 1);
        }}
      />
    );
  return <Canvas key={attempt} {...props} onError={setError} />;
}

function Canvas({ label, x, series, format, counts = false, height = 220, onError }: ChartProps & { onError(error: unknown): void }) {
  const box = useRef<HTMLElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let chart: uPlotType | null = null;
    let observer: ResizeObserver | null = null;
    let gone = false;
    void import('./uplot')
      .then(({ uPlot }) => {
        if (gone) return;
        const options: uPlotType.Options = {
          width: Math.max(element.clientWidth, 280),
          height,
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, counts ? 1 : 60) * 1.1] } },
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              points: { show: true, size: 5 },
              value: (_u: uPlotType, v: number | null) => (v === null || v === undefined ? '—' : format(v)),
            })),
          ],
          axes: [{}, { size: 80, ...(counts ? { incrs: COUNT_STEPS } : {}), values: (_u, splits) => splits.map((v) => format(v)) }],
        };
        chart = new uPlot(options, [x, ...series.map((s) => s.values)], element);
        observer = new ResizeObserver(() => chart?.setSize({ width: Math.max(element.clientWidth, 280), height }));
        observer.observe(element);
      })
      .catch((e: unknown) => {
        if (!gone) onError(e);
      });
    return () => {
      gone = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [x, series, format, counts, height, onError]);

  return <figure className="report-chart" ref={box} aria-label={label} />;
}
