import { useEffect, useState } from 'react';

// Relative times ("5m", "yesterday") that stay true while the page stays open.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let now = Date.now();
const listeners = new Set<() => void>();
setInterval(() => {
  now = Date.now();
  for (const listener of listeners) listener();
}, 30_000);

function useNow(): number {
  const [value, setValue] = useState(now);
  useEffect(() => {
    const listener = () => setValue(now);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return Math.max(value, now);
}

export function relativeTime(at: number, reference: number): string {
  const diff = Math.max(0, reference - at);
  if (diff < MINUTE) return 'now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)}m`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)}h`;
  if (diff < 7 * DAY) return `${Math.floor(diff / DAY)}d`;
  return new Date(at).toLocaleDateString(undefined, {
    month: 'short',
    day: 'numeric',
    year: new Date(at).getFullYear() === new Date(reference).getFullYear() ? undefined : 'numeric',
  });
}

export const fullTime = (at: number) => new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RelativeTime({ at }: { at: number }) {
  const reference = useNow();
  return (
    <time dateTime={new Date(at).toISOString()} title={fullTime(at)}>
      {relativeTime(at, reference)}
    </time>
  );
}
