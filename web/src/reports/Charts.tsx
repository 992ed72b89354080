import { type ReactNode, useMemo } from 'react';
import { reportCsvUrl, type TimeseriesJson } from '../api/endpoints';
import { CHANNEL_NAMES, CHANNELS } from '../api/types';
import { Empty, Failed, Loading } from '../ui/states';
import { bucketsOf, bucketTime, formatCount, formatDuration } from './format';
import { Heatmap } from './Heatmap';
import { apiQuery, type Grouping, type Period, type ReportsState } from './query';
import { type ChartSeries, TimeChart } from './TimeChart';
import { useTimeseries } from './useReports';

// The charts: conversations created per channel, first response and resolution medians, and
// inbound messages by hour of the week. Each has its CSV: the same query, format=csv.

const CHANNEL_COLORS = { ticket: '#2f5bea', chatbot: '#1e7a46', email: '#b54708' } as const;

export function CsvLink({ href, what, text = 'Download CSV' }: { href: string; what: string; text?: string }) {
  return (
    <a className="button button-small report-csv" href={href} download aria-label={`Download CSV: ${what}`}>
      {text}
    </a>
  );
}

export function ReportCard({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="report-card" aria-label={title}>
      <header className="report-card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A series' values per bucket; buckets the API left out count zero (volumes) or nothing (medians). */
function valuesOf(data: TimeseriesJson, buckets: string[], key: string, missing: number | null): (number | null)[] {
  const byBucket = new Map(data.points.map((p) => [p.bucket, p.values]));
  return buckets.map((b) => {
    const value = byBucket.get(b)?.[key];
    return value === undefined || value === null ? missing : value;
  });
}

const hasAny = (series: ChartSeries[]) => series.some((s) => s.values.some((v) => v !== null && v !== 0));

type Props = { state: ReportsState; period: Period; grouping: Grouping };

function body(query: ReturnType<typeof useTimeseries>, what: string, chart: (data: TimeseriesJson) => ReactNode) {
  if (query.isPending) return <Loading label={`Loading ${what}…`} />;
  if (query.isError) return <Failed what={what} error={query.error} retry={() => void query.refetch()} />;
  return chart(query.data);
}

export function VolumeChart({ state, period, grouping }: Props) {
  const q = apiQuery(period, state, { series: 'volume', groupBy: grouping });
  const query = useTimeseries(q);
  const buckets = useMemo(() => bucketsOf(period, grouping), [period, grouping]);
  const x = useMemo(() => buckets.map(bucketTime), [buckets]);
  const series = useMemo(
    () =>
      query.data
        ? CHANNELS.filter((c) => !state.channel || c === state.channel).map((c) => ({
            label: CHANNEL_NAMES[c],
            color: CHANNEL_COLORS[c],
            values: valuesOf(query.data, buckets, c, 0),
          }))
        : [],
    [query.data, buckets, state.channel],
  );
  return (
    <ReportCard title="Conversations created by channel" actions={<CsvLink href={reportCsvUrl('timeseries', q)} what="conversations created by channel" />}>
      {body(query, 'the volume', () =>
        hasAny(series) ? (
          <TimeChart label="Conversations created by channel over time" x={x} series={series} format={formatCount} counts />
        ) : (
          <Empty title="No conversations in this period" />
        ),
      )}
    </ReportCard>
  );
}

export function MediansChart({ state, period, grouping }: Props) {
  const firstQ = apiQuery(period, state, { series: 'first_response', groupBy: grouping });
  const resolutionQ = apiQuery(period, state, { series: 'resolution', groupBy: grouping });
  const first = useTimeseries(firstQ);
  const resolution = useTimeseries(resolutionQ);
  const buckets = useMemo(() => bucketsOf(period, grouping), [period, grouping]);
  const x = useMemo(() => buckets.map(bucketTime), [buckets]);
  const series = useMemo(
    () =>
      first.data && resolution.data
        ? [
            { label: 'Median first response', color: '#2f5bea', values: valuesOf(first.data, buckets, 'median', null) },
            { label: 'Median resolution', color: '#8e44ad', values: valuesOf(resolution.data, buckets, 'median', null) },
          ]
        : [],
    [first.data, resolution.data, buckets],
  );
  // One state for the pair: the first still loading or failed speaks for both.
  const pair = first.isPending || first.isError ? first : resolution;
  return (
    <ReportCard
      title={`First response and resolution${state.business ? ' (business time)' : ''}`}
      actions={
        <span className="report-csvs">
          <CsvLink href={reportCsvUrl('timeseries', firstQ)} what="first response over time" text="CSV: first response" />
          <CsvLink href={reportCsvUrl('timeseries', resolutionQ)} what="resolution over time" text="CSV: resolution" />
        </span>
      }
    >
      {body(pair, 'the medians', () =>
        hasAny(series) ? (
          <TimeChart label="Median first response and median resolution over time" x={x} series={series} format={formatDuration} />
        ) : (
          <Empty title="Nothing measured in this period">Medians appear once the team replies to and resolves conversations.</Empty>
        ),
      )}
    </ReportCard>
  );
}

export function HeatmapChart({ state, period }: Omit<Props, 'grouping'>) {
  const q = apiQuery(period, state, { series: 'inbound_heatmap', groupBy: 'hour' });
  const query = useTimeseries(q);
  return (
    <ReportCard
      title="Customer messages by hour of the week"
      actions={<CsvLink href={reportCsvUrl('timeseries', q)} what="customer messages by hour of the week" />}
    >
      {body(query, 'the heatmap', (data) =>
        data.points.some((p) => (p.values.count ?? 0) > 0) ? <Heatmap data={data} tz={period.tz} /> : <Empty title="No customer messages in this period" />,
      )}
    </ReportCard>
  );
}
