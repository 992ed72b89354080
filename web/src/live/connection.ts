import type { EventFrame, NotificationFrame, PresenceFrame } from '../../../src/present/frames.js';

// The live stream: one WebSocket to /api/realtime (the session cookie authenticates it).
// Every event frame carries an id; after a drop the socket reconnects with
// `?since=<last id>` and the server replays what was missed before it says `ready`, so
// nothing is lost and nothing repeats. Reconnects back off so a down server is not
// hammered, and go at once when the browser comes back online.

// The frames, inferred from the server's zod schemas (type-only: erased from the bundle).
export type { EventFrame, NotificationFrame, PresenceFrame, PresenceState } from '../../../src/present/frames.js';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export type LiveHandlers = {
  onEvent(frame: EventFrame): void;
  onPresence(frame: PresenceFrame): void;
  /** The socket caught up and is live; `first` on the first connection of this page. */
  onReady(first: boolean): void;
  onStatus(status: LiveStatus): void;
  /** The user's own notifications changed (no id: never replayed; read the bell again on `ready`). */
  onNotification?(frame: NotificationFrame): void;
};

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class LiveConnection {
  #socket: WebSocket | null = null;
  #lastId: number | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #everReady = false;
  #status: LiveStatus = 'connecting';

  constructor(private readonly handlers: LiveHandlers) {}

  get status(): LiveStatus {
    return this.#status;
  }

  start(): void {
    window.addEventListener('online', this.#online);
    window.addEventListener('offline', this.#offline);
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    window.removeEventListener('online', this.#online);
    window.removeEventListener('offline', this.#offline);
    this.#socket?.close(1000, 'signed out');
    this.#socket = null;
  }

  /** Tries again at once, backoff reset: a person asked ("Reconnect now"). */
  reconnectNow(): void {
    this.#online();
  }

  /** Sends a small message when live; dropped otherwise (presence is best effort). */
  send(message: unknown): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #setStatus(status: LiveStatus) {
    if (this.#status === status) return;
    this.#status = status;
    this.handlers.onStatus(status);
  }

  #connect() {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#setStatus('connecting');
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const since = this.#lastId === null ? '' : `?since=${this.#lastId}`;
    const socket = new WebSocket(`${protocol}//${location.host}/api/realtime${since}`);
    this.#socket = socket;
    socket.onmessage = (message) => {
      if (this.#socket !== socket) return;
      this.#receive(String(message.data));
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#setStatus('offline');
      this.#scheduleReconnect();
    };
    // An error is always followed by close, which reconnects.
    socket.onerror = () => undefined;
  }

  #receive(text: string) {
    let frame: { id?: unknown; type?: unknown; data?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    if (frame.type === 'presence') return this.handlers.onPresence(frame as PresenceFrame);
    if (typeof frame.type === 'string' && frame.type.startsWith('notification.')) return this.handlers.onNotification?.(frame as NotificationFrame);
    if (typeof frame.id !== 'number') return;
    if (frame.type === 'ready') {
      this.#lastId = Math.max(this.#lastId ?? 0, frame.id);
      this.#attempt = 0;
      const first = !this.#everReady;
      this.#everReady = true;
      this.#setStatus('live');
      this.handlers.onReady(first);
      return;
    }
    // A replay never repeats, but a frame at or before the resume point is one we have.
    if (this.#lastId !== null && frame.id <= this.#lastId) return;
    this.#lastId = frame.id;
    this.handlers.onEvent(frame as EventFrame);
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    if (!navigator.onLine) return; // `online` reconnects
    const base = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
    this.#attempt++;
    // Jitter, so a restarted server is not met by every tab at the same instant.
    this.#timer = setTimeout(() => this.#connect(), base / 2 + Math.random() * base);
  }

  #online = () => {
    this.#attempt = 0;
    if (!this.#socket) this.#connect();
  };

  // A socket rarely notices a dead network by itself for a long while; the browser knows.
  #offline = () => {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    socket.close();
    this.#setStatus('offline');
  };
}
