import { useEffect, useState } from 'react';
import { useLive } from './LiveProvider';
import './live.css';

// A dropped live stream means the page has stopped following the inbox: nothing new
// arrives and others' changes do not show. A dot in the sidebar is easy to miss, so a
// banner says it while the stream is down, after a short grace so a blip (a proxy's idle
// cut, a deploy) does not flash. On return the connection replays what was missed
// (connection.ts, `since`), and the banner goes.

const GRACE_MS = 1500;

export function ConnectionBanner() {
  const { status, wasLive, reconnect } = useLive();
  const down = status !== 'live';
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!down) return setShown(false);
    const timer = setTimeout(() => setShown(true), GRACE_MS);
    return () => clearTimeout(timer);
  }, [down]);

  const text = wasLive ? 'Reconnecting… updates paused' : 'Connecting… live updates are not on yet';
  // The status element stays in the page, empty while live, so a screen reader hears it fill.
  return (
    <div className="live-banner" data-shown={shown || undefined}>
      <p role="status" aria-live="polite" className="live-banner-text">
        {shown ? text : ''}
      </p>
      {shown ? (
        <button type="button" className="button button-small" onClick={reconnect}>
          Reconnect now
        </button>
      ) : null}
    </div>
  );
}
