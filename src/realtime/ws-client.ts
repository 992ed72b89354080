import type { RawData, WebSocket } from 'ws';
import type { Credential, WatchedSocket } from './credentials.js';
import type { LiveViewer } from './frames.js';
import type { LiveClient } from './hub.js';
import type { PresenceMember } from './presence.js';
import { FRAMES_PER_SECOND, FrameBudget } from './protocol.js';

/**
 * One socket with backpressure, heartbeat, close, and one `ended` call however it goes
 * (our close, the peer's, a drop), so every registry forgets it at once. The team's and
 * customers' sockets (WsClient) and chat visitors' sockets (channels/chat) build on it.
 */
export class SocketClient<Self extends SocketClient<Self>> {
  sentUpTo = 0;
  #alive = true;
  #ended = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    private readonly ended: (client: Self) => void,
  ) {
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('close', () => this.#end());
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(frame: string): void {
    if (!this.open) return;
    // A client that cannot keep up would hold an ever-growing backlog in our memory and
    // no close frame would reach it past that backlog: cut it; it resumes with `since`.
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.terminate();
      return;
    }
    this.socket.send(frame);
  }

  async drained(): Promise<void> {
    for (let waited = 0; this.open && this.socket.bufferedAmount > this.maxBufferedBytes / 2; waited += 20) {
      if (waited > 30_000) return this.socket.terminate();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** No pong since the last ping: the peer is gone (or unreachable); free its socket. */
  heartbeat(): void {
    if (!this.#alive) {
      this.socket.terminate();
      return;
    }
    this.#alive = false;
    this.socket.ping();
  }

  /** Closes with a code and reason; `open` is false from here on, so nothing more is sent. */
  close(code: number, reason: string): void {
    if (this.open) this.socket.close(code, reason);
    // Not waiting for the peer's close frame: the others hear `left` now, not after a handshake.
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.ended(this as unknown as Self);
  }
}

/** A signed-in user's socket, as the hub, the credential watch and the presence relay see it. */
export class WsClient extends SocketClient<WsClient> implements LiveClient, WatchedSocket, PresenceMember {
  readonly budget = new FrameBudget(FRAMES_PER_SECOND, 1000);

  constructor(
    socket: WebSocket,
    readonly viewer: LiveViewer,
    readonly credential: Credential,
    maxBufferedBytes: number,
    ended: (client: WsClient) => void,
  ) {
    super(socket, maxBufferedBytes, ended);
  }
}

/** A text frame's content, or null for a binary one. */
export function textOf(data: RawData, isBinary: boolean): string | null {
  if (isBinary) return null;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
