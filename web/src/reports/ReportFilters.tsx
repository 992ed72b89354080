import { useMemo } from 'react';
import { CHANNEL_NAMES, CHANNELS, type Channel } from '../api/types';
import { browserZone, GROUPINGS, type Grouping, type Period, type Range, type ReportsState } from './query';
import { useFilterLists } from './useReports';

// The dashboard's controls: period (presets or custom days), zone, business hours, filters
// and the charts' grouping. Every change becomes the URL (the page navigates).

const RANGE_NAMES: Record<Range, string> = { '7': 'Last 7 days', '30': 'Last 30 days', '90': 'Last 90 days', custom: 'Custom' };
const GROUPING_NAMES: Record<Grouping, string> = { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' };

function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...all])].sort();
}

const idOf = (value: string) => (value ? Number(value) : undefined);

export function ReportFilters({
  state,
  period,
  grouping,
  onChange,
}: {
  state: ReportsState;
  period: Period;
  grouping: Grouping;
  onChange(next: ReportsState): void;
}) {
  const { teams, people } = useFilterLists();
  const zoneList = useMemo(() => zones(period.tz), [period.tz]);
  // A filter changes which figures exist: an open drill-down would list another period's facts.
  const change = (patch: Partial<ReportsState>) => onChange({ ...state, drill: undefined, ...patch });

  return (
    <form className="report-filters" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
      <label className="field">
        <span>Period</span>
        <select
          value={state.range}
          onChange={(e) => {
            const range = e.target.value as Range;
            // A custom range starts from what is shown, then the days can be moved.
            change(range === 'custom' ? { range, from: period.from, to: period.to } : { range, from: undefined, to: undefined });
          }}
        >
          {(Object.keys(RANGE_NAMES) as Range[]).map((r) => (
            <option key={r} value={r}>
              {RANGE_NAMES[r]}
            </option>
          ))}
        </select>
      </label>
      {state.range === 'custom' ? (
        <>
          <label className="field">
            <span>From</span>
            <input type="date" value={period.from} max={period.to} required onChange={(e) => e.target.value && change({ from: e.target.value })} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="date" value={period.to} min={period.from} required onChange={(e) => e.target.value && change({ to: e.target.value })} />
          </label>
        </>
      ) : null}
      <label className="field">
        <span>Time zone</span>
        <select value={period.tz} onChange={(e) => change({ tz: e.target.value === browserZone() ? undefined : e.target.value })}>
          {zoneList.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Team</span>
        <select value={state.team ?? ''} onChange={(e) => change({ team: idOf(e.target.value) })}>
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Agent</span>
        <select value={state.agent ?? ''} onChange={(e) => change({ agent: idOf(e.target.value) })}>
          <option value="">All agents</option>
          {people.map((u) => (
            <option key={u.id} value={u.id}>
              {u.active === false ? `${u.name} (deactivated)` : u.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Channel</span>
        <select value={state.channel ?? ''} onChange={(e) => change({ channel: (e.target.value || undefined) as Channel | undefined })}>
          <option value="">All channels</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {CHANNEL_NAMES[c]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Charts by</span>
        <select value={grouping} onChange={(e) => change({ groupBy: e.target.value as Grouping })}>
          {GROUPINGS.map((g) => (
            <option key={g} value={g}>
              {GROUPING_NAMES[g]}
            </option>
          ))}
        </select>
      </label>
      <label className="report-switch">
        <input type="checkbox" checked={state.business} onChange={(e) => change({ business: e.target.checked })} />
        <span>Business hours only</span>
      </label>
    </form>
  );
}
