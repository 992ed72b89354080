import { z } from 'zod';
import { PRESENCE_STATES } from '../present/frames.js';

// What travels on /api/realtime besides the event frames (frames.ts): what a client may
// send, the error frame it gets back for a bad one, the close codes, and the description
// of all of it for the OpenAPI document.

/** The socket's credentials ended (signed out, password changed, token revoked, account switched off): sign in again. */
export const CLOSE_CREDENTIALS_ENDED = 4401;
/** The account's role changed: reconnect (with `since`) to be served as who the user is now. */
export const CLOSE_VIEWER_CHANGED = 4409;

export const PresenceRequest = z
  .strictObject({
    type: z.literal('presence'),
    conversationId: z.number().int().positive(),
    state: z.enum(PRESENCE_STATES),
  })
  .meta({ id: 'RealtimePresenceRequest', description: 'Sent by a team member’s client over /api/realtime; ignored from customers.' });
export type PresenceRequest = z.infer<typeof PresenceRequest>;

/** Every frame a client may send; one kind so far. */
const ClientFrame = z.discriminatedUnion('type', [PresenceRequest]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export type FrameError = { code: 'invalid_frame' | 'rate_limited'; message: string };

/** Presence refreshes every few seconds; ten frames a second is already a misbehaving client. */
export const FRAMES_PER_SECOND = 10;

export const RATE_LIMITED: FrameError = {
  code: 'rate_limited',
  message: `more than ${FRAMES_PER_SECOND} frames in a second; the rest of this second is ignored`,
};

/** A client frame, or what is wrong with it in words a client developer can act on. */
export function parseClientFrame(data: string | null): { frame: ClientFrame } | { error: FrameError } {
  if (data === null) return { error: { code: 'invalid_frame', message: 'frames must be JSON text, not binary' } };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { error: { code: 'invalid_frame', message: 'a frame must be one JSON object' } };
  }
  const parsed = ClientFrame.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return {
    error: {
      code: 'invalid_frame',
      message: `${where}${issue?.message ?? 'not a known frame'} (expected {"type":"presence","conversationId":<id>,"state":"viewing"|"typing"|"left"})`,
    },
  };
}

export function errorFrame(error: FrameError): string {
  return JSON.stringify({ type: 'error', data: error });
}

/**
 * At most `limit` frames per `windowMs` from one socket; the rest are ignored. A
 * fixed window is enough: presence refreshes every few seconds, a burst is a bug.
 */
export class FrameBudget {
  #windowStart = 0;
  #used = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 'ok', 'over' for the first frame past the limit in a window (worth one error frame), then 'ignore'. */
  take(): 'ok' | 'over' | 'ignore' {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#used = 0;
    }
    this.#used += 1;
    if (this.#used <= this.limit) return 'ok';
    return this.#used === this.limit + 1 ? 'over' : 'ignore';
  }
}

export const REALTIME_SUMMARY = 'Live updates over WebSocket';

export const REALTIME_DESCRIPTION = `
Upgrade to a WebSocket (\`Upgrade: websocket\`). Authenticate with the session cookie
(the page must be on this site: \`Origin\` is checked), an \`Authorization: Bearer\` API
token, or \`?token=\` for clients that cannot set headers. A refused upgrade answers 401 or 403.

**Server → client** (JSON text frames):

- \`conversation.created\` — \`{ id, type, data: { conversation, message? } }\`
- \`conversation.updated\` — \`{ id, type, data: { conversation } }\` (customers: status changes only)
- \`message.created\` — \`{ id, type, data: { message, conversation } }\` (internal notes: team only)
- \`message.updated\` — \`{ id, type, data: { message, conversation } }\`, team only: the message's \`delivery\` (mail to the customer) changed
- \`conversation.deleted\` — \`{ id, type, data: { id } }\` (the team, and the customer who owned it)
- \`ready\` — \`{ id, type: "ready", data: {} }\`: replay is over, the stream is live; \`id\` is where a later \`?since=\` resumes
- \`presence\` — team only, no \`id\`, never replayed nor stored, may arrive before \`ready\`:
  \`{ type: "presence", data: { conversationId, user: { id, name }, state: "viewing"|"typing"|"left", at } }\`
  (\`at\` is an ISO timestamp). Forget a \`viewing\` after 40 s and a \`typing\` after 6 s without a refresh.
- \`error\` — \`{ type: "error", data: { code, message } }\` for a bad client frame; the socket stays open.
- \`notification.created\`, \`notification.updated\` — team only, the user's OWN notifications, no \`id\`, never replayed:
  \`{ type, data: { notification, unreadCount } }\` (see the \`Notification\` schema); \`notification.read\` —
  \`{ type, data: { ids?, conversationId?, all?, unreadCount } }\` when they read some elsewhere. Read the bell
  (\`GET /api/notifications\`) again after every \`ready\`.

\`id\` is the event id: reconnect with \`?since=<last id seen>\` to receive exactly what was missed.
Customers receive only their own conversations' public events.

**Client → server** (team members only; see the \`RealtimePresenceRequest\` schema):
\`{ "type": "presence", "conversationId": 42, "state": "viewing"|"typing"|"left" }\`.
Re-send \`viewing\` every ~15 s while a conversation is open and \`typing\` every ~3 s while
typing; send \`left\` on leaving (closing the socket sends \`left\` for you). More than
${FRAMES_PER_SECOND} frames a second are ignored. Presence reaches the team connected to the same server instance.

**Close codes**: ${CLOSE_CREDENTIALS_ENDED} — the credentials ended (signed out, password changed,
token revoked, account deactivated): sign in again; ${CLOSE_VIEWER_CHANGED} — the account's role
changed: reconnect with \`since\`; 1001 — server shutting down; 1011 — replay failed: reconnect with \`since\`.
A client that stops answering pings, or whose unsent backlog grows too large, is dropped
without a close frame: reconnect with \`since\`.
`.trim();
