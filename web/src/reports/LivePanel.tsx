import { type ReactNode, useEffect, useState } from 'react';
import { routeUrl } from '../app/route';
import { follow } from '../inbox/Sidebar';
import { Failed, Loading } from '../ui/states';
import { ReportCard } from './Charts';
import { formatCount, formatDuration } from './format';
import { useLivePanel } from './useReports';

// Now, whatever the period: the inbox's counters and the customers waiting longest (the
// server reads them from the counter rows and an index, not the facts). Refreshed every 30 s.

function useClock(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function LivePanel() {
  const live = useLivePanel();
  const now = useClock(15_000);
  let content: ReactNode;
  if (live.isPending) content = <Loading label="Loading the inbox now…" />;
  else if (live.isError) content = <Failed what="the live figures" error={live.error} retry={() => void live.refetch()} />;
  else {
    const { open, unassigned, pending, waitingLongest } = live.data;
    content = (
      <div className="report-live">
        <dl className="report-live-counts">
          {(
            [
              ['Open', open],
              ['Unassigned', unassigned],
              ['Pending', pending],
            ] as const
          ).map(([name, value]) => (
            <div key={name} data-live={name.toLowerCase()}>
              <dt>{name}</dt>
              <dd>{formatCount(value)}</dd>
            </div>
          ))}
        </dl>
        <div className="report-waiting">
          <h3>Waiting longest</h3>
          {waitingLongest.length === 0 ? (
            <p className="report-muted">No customer is waiting for a reply.</p>
          ) : (
            <ol>
              {waitingLongest.map((w) => {
                const target = { page: 'inbox', view: 'all', filters: {}, q: '', conversationId: w.conversationId } as const;
                return (
                  <li key={w.conversationId}>
                    <a href={routeUrl(target)} onClick={(e) => follow(e, target)}>
                      <span className="report-number">{w.number}</span> {w.subject}
                    </a>
                    <span className="report-muted"> waiting {formatDuration((now - w.waitingSince) / 1000)}</span>
                  </li>
                );
              })}
            </ol>
          )}
        </div>
      </div>
    );
  }
  return <ReportCard title="Now">{content}</ReportCard>;
}
