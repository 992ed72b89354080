import { useMemo } from 'react';
import { reportCsvUrl } from '../api/endpoints';
import { CHANNEL_NAMES } from '../api/types';
import { navigate } from '../app/route';
import { Icon } from '../ui/Icon';
import { Empty, Failed, Loading } from '../ui/states';
import { BreakdownTable } from './BreakdownTable';
import { CsvLink, HeatmapChart, MediansChart, ReportCard, VolumeChart } from './Charts';
import { Drilldown } from './Drilldown';
import { BUSINESS_TIME, CARE_CYCLE, DEFINITIONS, HISTOGRAM } from './definitions';
import { LivePanel } from './LivePanel';
import { apiQuery, autoGrouping, type DrillMetric, type Filter, parseReportsState, periodOf, type ReportsState, reportsSearch } from './query';
import { ReportFilters } from './ReportFilters';
import { Tiles } from './Tiles';
import { isRefused, useFilterLists, useSummary } from './useReports';
import './reports.css';

// Admin inbox → Reports (issue 19): how fast the team answers and resolves, how much comes
// in, per agent, team and channel, and who waits now. Loaded on demand (App.tsx lazy-loads
// this module, the charts load uPlot), so the inbox's own bundle does not carry it.

export function ReportsPage({ search, onMenu }: { search: string; onMenu(): void }) {
  const state = useMemo(() => parseReportsState(search), [search]);
  // "Today" is read when the URL changes; a page left open overnight keeps its period until then.
  const period = useMemo(() => periodOf(state), [state]);
  const grouping = state.groupBy ?? autoGrouping(period);
  const summaryQuery = apiQuery(period, state);
  const summary = useSummary(summaryQuery);
  const { teams, people } = useFilterLists();

  const go = (next: ReportsState) => navigate({ page: 'reports', search: reportsSearch(next) });
  const drill = (metric: DrillMetric, by: Filter = {}) => go({ ...state, drill: { metric, by } });
  const describe = (by: Filter): string | null =>
    by.agent !== undefined
      ? (people.find((u) => u.id === by.agent)?.name ?? `Agent #${by.agent}`)
      : by.team !== undefined
        ? (teams.find((t) => t.id === by.team)?.name ?? `Team #${by.team}`)
        : by.channel
          ? CHANNEL_NAMES[by.channel]
          : null;

  const header = (
    <header className="page-header">
      <button type="button" className="icon-button menu-button" onClick={onMenu} aria-label="Show views">
        <Icon name="menu" size={20} />
      </button>
      <h1 id="reports-title">Reports</h1>
    </header>
  );

  if (summary.isError && isRefused(summary.error))
    return (
      <main className="reports-page" aria-labelledby="reports-title">
        {header}
        <Empty title="Reports are for admins">Ask an admin of your team for the figures you need.</Empty>
      </main>
    );

  return (
    <main className="reports-page" aria-labelledby="reports-title">
      {header}
      <div className="reports-body">
        <ReportFilters state={state} period={period} grouping={grouping} onChange={go} />
        <LivePanel />
        <ReportCard
          title={`${period.from} to ${period.to} · ${period.tz}${state.business ? ' · business time' : ''}`}
          actions={<CsvLink href={reportCsvUrl('summary', summaryQuery)} what="the headline figures" />}
        >
          {summary.isPending ? (
            <Loading label="Loading the figures…" />
          ) : summary.isError ? (
            <Failed what="the figures" error={summary.error} retry={() => void summary.refetch()} />
          ) : (
            <>
              {summary.data.created === 0 && summary.data.resolved === 0 && summary.data.messagesIn === 0 ? (
                <p className="report-muted">Nothing happened in this period yet: pick a longer one, or another filter.</p>
              ) : null}
              <Tiles summary={summary.data} onDrill={(metric) => drill(metric)} />
            </>
          )}
        </ReportCard>
        {state.drill ? (
          <Drilldown
            key={reportsSearch(state)}
            drill={state.drill}
            state={state}
            period={period}
            describe={describe(state.drill.by)}
            onClose={() => go({ ...state, drill: undefined })}
          />
        ) : null}
        <div className="report-grid">
          <VolumeChart state={state} period={period} grouping={grouping} />
          <MediansChart state={state} period={period} grouping={grouping} />
        </div>
        <HeatmapChart state={state} period={period} />
        <BreakdownTable kind="agents" state={state} period={period} onDrill={drill} />
        <div className="report-grid">
          <BreakdownTable kind="teams" state={state} period={period} onDrill={drill} />
          <BreakdownTable kind="channels" state={state} period={period} onDrill={drill} />
        </div>
        <details className="report-definitions">
          <summary>How these figures are measured</summary>
          <ul>
            <li>{CARE_CYCLE}</li>
            <li>{DEFINITIONS.firstResponse}</li>
            <li>{DEFINITIONS.replyTime}</li>
            <li>{DEFINITIONS.resolution}</li>
            <li>{BUSINESS_TIME}</li>
            <li>{HISTOGRAM}</li>
            <li>{DEFINITIONS.csatScore}</li>
          </ul>
        </details>
      </div>
    </main>
  );
}
