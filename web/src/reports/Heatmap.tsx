import type { CSSProperties } from 'react';
import type { TimeseriesJson } from '../api/endpoints';

// Customer messages by weekday × hour as a table styled as a grid: each cell's shade is its
// share of the busiest hour, and its number is there for screen readers and on hover.

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function Heatmap({ data, tz }: { data: TimeseriesJson; tz: string }) {
  const counts = new Map<string, number>();
  for (const point of data.points) counts.set(point.bucket, point.values.count ?? 0);
  const max = Math.max(1, ...counts.values());
  return (
    <div className="heatmap-scroll">
      <table className="heatmap">
        <caption className="visually-hidden">Customer messages by weekday and hour, {tz}</caption>
        <thead>
          <tr>
            <td />
            {HOURS.map((h) => (
              <th key={h} scope="col" className="heatmap-hour">
                <span aria-hidden="true">{h % 3 === 0 ? h : ''}</span>
                <span className="visually-hidden">{`${h}:00`}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((day, index) => (
            <tr key={day}>
              <th scope="row" className="heatmap-day">
                <abbr title={day}>{day.slice(0, 3)}</abbr>
              </th>
              {HOURS.map((h) => {
                const count = counts.get(`${index + 1}-${h}`) ?? 0;
                return (
                  <td
                    key={h}
                    className="heatmap-cell"
                    style={{ '--heat': count / max } as CSSProperties}
                    title={`${day} ${h}:00–${h + 1}:00: ${count} message${count === 1 ? '' : 's'}`}
                  >
                    <span className="visually-hidden">{count}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
