import { useId } from 'react';
import type { ReportSummaryJson } from '../api/endpoints';
import { DEFINITIONS, durationHelp } from './definitions';
import { formatCount, formatDuration, formatPercent } from './format';
import type { DrillMetric } from './query';

// The headline figures. Each says what it counts in a tooltip (hover or focus its "?"), and
// a figure with facts behind it opens the list of those conversations.

/** A "?" whose definition shows on hover and focus, and is the button's description for screen readers. */
export function InfoTip({ label, text }: { label: string; text: string }) {
  const id = useId();
  return (
    <span className="info-tip">
      <button type="button" className="info-tip-button" aria-label={`About ${label}`} aria-describedby={id}>
        ?
      </button>
      <span role="tooltip" id={id} className="info-tip-text">
        {text}
      </span>
    </span>
  );
}

type TileProps = { label: string; value: string; help: string; sub?: string; metric?: DrillMetric; onDrill(metric: DrillMetric): void };

function Tile({ label, value, help, sub, metric, onDrill }: TileProps) {
  return (
    <li className="report-tile" data-tile={label}>
      <div className="report-tile-head">
        <span className="report-tile-label">{label}</span>
        <InfoTip label={label} text={help} />
      </div>
      {metric ? (
        <button type="button" className="report-tile-value" onClick={() => onDrill(metric)} aria-label={`${label}: ${value}, list the conversations`}>
          {value}
        </button>
      ) : (
        <span className="report-tile-value">{value}</span>
      )}
      {sub ? <span className="report-tile-sub">{sub}</span> : null}
    </li>
  );
}

export function Tiles({ summary, onDrill }: { summary: ReportSummaryJson; onDrill(metric: DrillMetric): void }) {
  const { firstResponse, resolution, csat, business } = summary;
  const measured = (count: number, what: string) => `${formatCount(count)} ${what}${business ? ' · business time' : ''}`;
  return (
    <ul className="report-tiles" aria-label="Headline figures">
      <Tile label="Created" value={formatCount(summary.created)} help={DEFINITIONS.created} metric="created" onDrill={onDrill} />
      <Tile
        label="Resolved"
        value={formatCount(summary.resolved)}
        help={DEFINITIONS.resolved}
        sub={summary.reopened ? `${formatCount(summary.reopened)} reopened` : undefined}
        metric="resolved"
        onDrill={onDrill}
      />
      <Tile
        label="Median first response"
        value={formatDuration(firstResponse.median)}
        help={durationHelp(DEFINITIONS.firstResponse, business, DEFINITIONS.firstResponseMedian)}
        sub={measured(firstResponse.count, 'first responses')}
        metric="first_response"
        onDrill={onDrill}
      />
      <Tile
        label="p90 first response"
        value={formatDuration(firstResponse.p90)}
        help={durationHelp(DEFINITIONS.firstResponse, business, DEFINITIONS.firstResponseP90)}
        sub={measured(firstResponse.count, 'first responses')}
        metric="first_response"
        onDrill={onDrill}
      />
      <Tile
        label="Median resolution"
        value={formatDuration(resolution.median)}
        help={durationHelp(DEFINITIONS.resolution, business)}
        sub={measured(resolution.count, 'resolutions')}
        metric="resolved"
        onDrill={onDrill}
      />
      <Tile
        label="CSAT score"
        value={formatPercent(csat.score)}
        help={DEFINITIONS.csatScore}
        sub={csat.average === null ? 'no ratings yet' : `average ${csat.average.toFixed(1)} of 5`}
        onDrill={onDrill}
      />
      <Tile
        label="CSAT response rate"
        value={formatPercent(csat.responseRate)}
        help={DEFINITIONS.csatResponse}
        sub={`${formatCount(csat.responses)} of ${formatCount(csat.sent)} surveys answered`}
        onDrill={onDrill}
      />
    </ul>
  );
}
