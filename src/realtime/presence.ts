import type { PresenceState } from '../present/frames.js';
import type { PresenceRequest } from './protocol.js';

// Who on the team is looking at or typing in which conversation, so two agents do not
// answer the same customer at once. Ephemeral by design: relayed to the other team
// sockets of this instance as it happens, never stored, never replayed, no event id.
// Clients refresh their state every few seconds and expire what is not refreshed, so a
// lost frame costs a few seconds of a stale warning, and a newcomer learns within one refresh.

export interface PresenceMember {
  readonly viewer: { id: number; name: string };
  /** False for a chat visitor; absent (team) otherwise. */
  readonly isTeam?: boolean;
  readonly open: boolean;
  send(frame: string): void;
}

/** Bounds the memory one socket can claim; beyond it the longest-unrefreshed entry is forgotten. */
const MAX_CONVERSATIONS_PER_SOCKET = 50;

export class PresenceRelay {
  /** Team sockets, each with the conversations it last said it was in (insertion order = refresh order). */
  readonly #members = new Map<PresenceMember, Map<number, PresenceState>>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Team sockets join, and chat visitors' sockets (isTeam false) to hear and tell who is typing in their chat. */
  join(member: PresenceMember): void {
    if (!this.#members.has(member)) this.#members.set(member, new Map());
  }

  /** The socket is gone: the others hear `left` for every conversation it was still in. */
  leave(member: PresenceMember): void {
    const present = this.#members.get(member);
    if (!present) return;
    this.#members.delete(member);
    for (const conversationId of present.keys()) this.#relay(member, conversationId, 'left');
  }

  /** Records and relays one presence frame; frames from sockets that never joined are ignored. */
  update(member: PresenceMember, request: PresenceRequest): void {
    const present = this.#members.get(member);
    if (!present) return;
    present.delete(request.conversationId);
    if (request.state !== 'left') {
      present.set(request.conversationId, request.state);
      if (present.size > MAX_CONVERSATIONS_PER_SOCKET) present.delete(present.keys().next().value!);
    }
    this.#relay(member, request.conversationId, request.state);
  }

  #relay(from: PresenceMember, conversationId: number, state: PresenceState): void {
    const frame = JSON.stringify({
      type: 'presence',
      data: { conversationId, user: { id: from.viewer.id, name: from.viewer.name }, state, at: new Date(this.clock()).toISOString() },
    });
    for (const member of this.#members.keys()) if (member !== from && member.open) member.send(frame);
  }
}
