import type { ReactNode } from 'react';
import { type BreakdownJson, reportCsvUrl } from '../api/endpoints';
import { CHANNEL_NAMES, CHANNELS, type Channel } from '../api/types';
import { Empty, Failed, Loading } from '../ui/states';
import { CsvLink, ReportCard } from './Charts';
import { DEFINITIONS, durationHelp } from './definitions';
import { formatCount, formatDuration, formatPercent } from './format';
import { apiQuery, type DrillMetric, type Filter, type Period, type ReportsState } from './query';
import { InfoTip } from './Tiles';
import { useBreakdown } from './useReports';

// Per agent, per team, per channel: each figure with facts behind it opens the list of
// those conversations (the row's agent, team or channel on top of the page's filters).

export type BreakdownKind = 'agents' | 'teams' | 'channels';

const TITLES: Record<BreakdownKind, string> = { agents: 'By agent', teams: 'By team', channels: 'By channel' };
const FIRST_COLUMN: Record<BreakdownKind, string> = { agents: 'Agent', teams: 'Team', channels: 'Channel' };
const EMPTY: Record<BreakdownKind, string> = {
  agents: 'No agent activity in this period',
  teams: 'No team activity in this period',
  channels: 'No conversations in this period',
};

function rowFilter(kind: BreakdownKind, key: string): Filter | null {
  if (kind === 'channels') return CHANNELS.includes(key as Channel) ? { channel: key as Channel } : null;
  if (!/^\d+$/.test(key)) return null;
  return kind === 'agents' ? { agent: Number(key) } : { team: Number(key) };
}

type Row = BreakdownJson['rows'][number];

function Figure({
  value,
  metric,
  row,
  by,
  onDrill,
  column,
}: {
  value: string;
  metric: DrillMetric;
  row: Row;
  by: Filter | null;
  column: string;
  onDrill(metric: DrillMetric, by: Filter): void;
}) {
  if (!by || value === '0' || value === '—') return <>{value}</>;
  return (
    <button
      type="button"
      className="report-figure"
      onClick={() => onDrill(metric, by)}
      aria-label={`${column} for ${row.name}: ${value}, list the conversations`}
    >
      {value}
    </button>
  );
}

export function BreakdownTable({
  kind,
  state,
  period,
  onDrill,
}: {
  kind: BreakdownKind;
  state: ReportsState;
  period: Period;
  onDrill(metric: DrillMetric, by: Filter): void;
}) {
  const q = apiQuery(period, state);
  const query = useBreakdown(kind, q);
  const business = state.business;
  const columns = [
    ['Handled', DEFINITIONS.handled],
    ['Replies', DEFINITIONS.replies],
    ['Median first response', durationHelp(DEFINITIONS.firstResponse, business)],
    ['Median reply time', durationHelp(DEFINITIONS.replyTime, business)],
    ['Resolved', DEFINITIONS.resolved],
    ['Median resolution', durationHelp(DEFINITIONS.resolution, business)],
    ['CSAT', DEFINITIONS.csatScore],
  ] as const;

  let content: ReactNode;
  if (query.isPending) content = <Loading label={`Loading ${TITLES[kind].toLowerCase()}…`} />;
  else if (query.isError) content = <Failed what={TITLES[kind].toLowerCase()} error={query.error} retry={() => void query.refetch()} />;
  else if (query.data.rows.length === 0) content = <Empty title={EMPTY[kind]} />;
  else
    content = (
      <div className="report-table-scroll">
        <table className="report-table" data-breakdown={kind}>
          <thead>
            <tr>
              <th scope="col">{FIRST_COLUMN[kind]}</th>
              {columns.map(([name, help]) => (
                <th scope="col" key={name}>
                  <span className="report-th">
                    {name}
                    <InfoTip label={name} text={help} />
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {query.data.rows.map((row) => {
              const by = rowFilter(kind, row.key);
              const cell = (column: string, value: string, metric: DrillMetric) => (
                <td>
                  <Figure value={value} metric={metric} row={row} by={by} column={column} onDrill={onDrill} />
                </td>
              );
              return (
                <tr key={row.key} data-key={row.key}>
                  <th scope="row">{by?.channel ? CHANNEL_NAMES[by.channel] : row.name}</th>
                  {cell('Handled', formatCount(row.handled), kind === 'agents' ? 'handled' : 'created')}
                  {cell('Replies', formatCount(row.replies), 'message_out')}
                  {cell('Median first response', formatDuration(row.firstResponse.median), 'first_response')}
                  {cell('Median reply time', formatDuration(row.replyTime.median), 'reply_time')}
                  {cell('Resolved', formatCount(row.resolved), 'resolved')}
                  {cell('Median resolution', formatDuration(row.resolution.median), 'resolved')}
                  <td title={row.csat.responses ? `${row.csat.responses} ratings` : undefined}>{formatPercent(row.csat.score)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );

  return (
    <ReportCard title={TITLES[kind]} actions={<CsvLink href={reportCsvUrl(kind, q)} what={TITLES[kind].toLowerCase()} />}>
      {content}
    </ReportCard>
  );
}
