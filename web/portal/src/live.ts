import { useEffect, useRef, useState } from 'react';
import { type EventFrame, LiveConnection, type LiveStatus } from '../../src/live/connection';

// The admin app's live connection (resume with `since` after a drop); the server sends a
// customer only public events of their own conversations. A page reloads what it shows
// whenever the socket is (again) ready, so nothing written before that is missed.

export function useLive(enabled: boolean, handlers: { onEvent(frame: EventFrame): void; onReady(): void }): LiveStatus {
  const current = useRef(handlers);
  current.current = handlers;
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (!enabled) return;
    const connection = new LiveConnection({
      onEvent: (frame) => current.current.onEvent(frame),
      onPresence: () => undefined,
      onReady: () => current.current.onReady(),
      onStatus: setStatus,
    });
    connection.start();
    return () => connection.stop();
  }, [enabled]);
  return status;
}
