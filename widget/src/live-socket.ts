import type { LiveFrame } from './types';

export type LiveSocket = { close(): void };

const MAX_DELAY_MS = 30_000;

/**
 * The visitor's live stream, reconnecting until closed. The server replays every frame
 * after `since`, so a drop loses nothing: each reconnect resumes from the last frame id
 * seen (whoever applies the frames still deduplicates messages by id).
 */
export function openLiveSocket(origin: string, token: string, since: number, onFrame: (frame: LiveFrame) => void): LiveSocket {
  let socket: WebSocket | null = null;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function connect(): void {
    const url = `${origin.replace(/^http/, 'ws')}/api/widget/socket?token=${encodeURIComponent(token)}&since=${since}`;
    socket = new WebSocket(url);
    socket.onmessage = (event: MessageEvent<string>) => {
      let frame: LiveFrame;
      try {
        frame = JSON.parse(event.data) as LiveFrame;
      } catch {
        return;
      }
      if ('id' in frame && typeof frame.id === 'number') since = Math.max(since, frame.id);
      if (frame.type === 'ready') failures = 0;
      onFrame(frame);
    };
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      // Exponential backoff with jitter, so a restarted server is not met by every
      // visitor's socket in the same second.
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** failures) * (0.5 + Math.random() / 2);
      failures++;
      retry = setTimeout(connect, delay);
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    },
  };
}
