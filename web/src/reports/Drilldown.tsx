import { type ReactNode, useEffect, useRef } from 'react';
import { reportCsvUrl } from '../api/endpoints';
import { CHANNEL_NAMES } from '../api/types';
import { routeUrl } from '../app/route';
import { follow } from '../inbox/Sidebar';
import { Empty, Failed, Loading } from '../ui/states';
import { fullTime } from '../ui/time';
import { CsvLink, ReportCard } from './Charts';
import { formatDuration } from './format';
import { apiQuery, type Drill, type DrillMetric, type Period, type ReportsState } from './query';
import { useDrilldown } from './useReports';

// The conversations behind a figure: its facts, newest first, a keyset page at a time; each
// links to its conversation in the inbox.

export const METRIC_NAMES: Record<DrillMetric, string> = {
  created: 'Created',
  reopened: 'Reopened',
  resolved: 'Resolved',
  first_response: 'First response',
  reply_time: 'Reply time',
  message_in: 'Customer messages',
  message_out: 'Replies',
  note: 'Notes',
  handled: 'Handled (first reply in a cycle)',
  bot_resolved: 'Resolved by the bot',
  bot_handover: 'Handed over by the bot',
};

const PAGE = '50';

export function Drilldown({
  drill,
  state,
  period,
  describe,
  onClose,
}: {
  drill: Drill;
  state: ReportsState;
  period: Period;
  /** The row the figure belongs to, in words ("Ben Agent"), or null for the whole page. */
  describe: string | null;
  onClose(): void;
}) {
  const q = apiQuery(period, { ...state, ...drill.by }, { metric: drill.metric });
  const pages = useDrilldown(`${q}&limit=${PAGE}`);
  const title = `Conversations · ${METRIC_NAMES[drill.metric]}${describe ? ` · ${describe}` : ''}`;
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  // A figure clicked in a table far below: bring the list to where the eye goes next.
  const box = useRef<HTMLDivElement>(null);
  // (Braces: newer browsers answer scrollIntoView with a promise, which React would take for a cleanup.)
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, []);

  let content: ReactNode;
  if (pages.isPending) content = <Loading label="Loading the conversations…" />;
  // A failed "More" keeps the pages already shown (react-query keeps `data`).
  else if (pages.isError && !pages.data) content = <Failed what="the conversations" error={pages.error} retry={() => void pages.refetch()} />;
  else if (items.length === 0) content = <Empty title="No conversations behind this figure" />;
  else
    content = (
      <>
        <div className="report-table-scroll">
          <table className="report-table report-drilldown">
            <thead>
              <tr>
                <th scope="col">Conversation</th>
                <th scope="col">When</th>
                <th scope="col">Agent</th>
                <th scope="col">Channel</th>
                <th scope="col">{state.business ? 'Duration (business)' : 'Duration'}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const target = { page: 'inbox', view: 'all', filters: {}, q: '', conversationId: item.conversationId } as const;
                return (
                  // One conversation may have several facts (replies), never two of a metric at one instant by one agent.
                  <tr key={`${item.conversationId}-${item.at}-${item.agentId}`}>
                    <td>
                      <a href={routeUrl(target)} onClick={(e) => follow(e, target)}>
                        <span className="report-number">{item.number}</span> {item.subject}
                      </a>
                    </td>
                    <td>{fullTime(item.at)}</td>
                    <td>{item.agentName ?? '—'}</td>
                    <td>{CHANNEL_NAMES[item.channel]}</td>
                    <td>{formatDuration(state.business ? item.businessSeconds : item.seconds)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {pages.hasNextPage ? (
          <button type="button" className="button" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            {pages.isFetchingNextPage ? 'Loading…' : 'More'}
          </button>
        ) : null}
        {pages.isFetchNextPageError ? <Failed what="more conversations" error={pages.error} retry={() => void pages.fetchNextPage()} /> : null}
      </>
    );

  return (
    <div ref={box} className="report-drill">
      <ReportCard
        title={title}
        actions={
          <span className="report-csvs">
            <CsvLink href={reportCsvUrl('conversations', q)} what={title} />
            <button type="button" className="button button-small" onClick={onClose}>
              Close
            </button>
          </span>
        }
      >
        {content}
      </ReportCard>
    </div>
  );
}
