import type { WebSocket } from 'ws';
import { type ChatContext, type Visitor, visitorChatIds } from '../channels/chat/chat.js';
import { isCsatEvent, widgetConversation, widgetCsatFrame, widgetMessage } from '../present/widget-frames.js';
import type { PreparedEvent } from '../realtime/frames.js';
import { SocketClient } from '../realtime/ws-client.js';

/** A chat visitor's socket: only their own chats' public messages, in the widget's shapes, and who of the team is typing there. */
export class VisitorClient extends SocketClient<VisitorClient> {
  readonly isTeam = false;
  #chats: Set<number>;

  constructor(
    socket: WebSocket,
    public visitor: Visitor,
    private readonly token: string,
    chats: Set<number>,
    private readonly chat: ChatContext,
    maxBufferedBytes: number,
    ended: (client: VisitorClient) => void,
  ) {
    super(socket, maxBufferedBytes, ended);
    this.#chats = chats;
  }

  /** Named as the visitor named themselves: this name is relayed as their presence, which other sockets may hear. */
  get viewer(): { id: number; role: 'customer'; email: string; name: string; emailVerifiedAt: null } {
    return { id: this.visitor.customerId, role: 'customer', email: this.visitor.address, name: this.visitor.name ?? 'Visitor', emailVerifiedAt: null };
  }

  present(event: PreparedEvent): string | null {
    const conversation = event.conversation;
    if (!conversation || conversation.channel !== 'chatbot' || conversation.customer.id !== this.visitor.customerId) return null;
    if (!this.#chats.has(conversation.id)) {
      // A chat this browser started a moment ago: the link is written right after the
      // conversation, so look again and send what this event says if it is ours.
      visitorChatIds(this.chat, this.visitor)
        .then((ids) => {
          this.#chats = ids;
          const frame = ids.has(conversation.id) ? this.#frame(event) : null;
          if (frame) this.send(frame);
        })
        // A failed look is a missed live frame, which the widget's catch-up (since) repairs.
        .catch(() => undefined);
      return null;
    }
    return this.#frame(event);
  }

  #frame(event: PreparedEvent): string | null {
    const conversation = event.conversation!;
    if ((event.eventType === 'replied' || event.eventType === 'created') && event.message) {
      const message = widgetMessage(event.message, this.token, this.visitor.name);
      return message ? JSON.stringify({ id: event.id, type: 'message.created', data: message }) : null;
    }
    if (event.eventType === 'note_added' || event.eventType === 'mentioned' || event.eventType.startsWith('delivery_')) return null;
    if (isCsatEvent(event.eventType)) return JSON.stringify(widgetCsatFrame(event.id, conversation.id));
    return JSON.stringify({ id: event.id, type: 'conversation.updated', data: widgetConversation(conversation) });
  }

  /** Presence frames from the team become typing frames for this visitor's chats. */
  override send(frame: string): void {
    if (frame.startsWith('{"type":"presence"')) {
      const { data } = JSON.parse(frame) as { data: { conversationId: number; user: { id: number; name: string }; state: string } };
      // The visitor's own typing, relayed from another tab of theirs, is not someone answering.
      if (!this.#chats.has(data.conversationId) || data.user.id === this.visitor.customerId) return;
      super.send(JSON.stringify({ type: 'typing', data: { name: data.user.name, typing: data.state === 'typing' } }));
      return;
    }
    super.send(frame);
  }
}

/**
 * Live sockets open at once, per visitor token and per client address. Anyone can open
 * the widget's socket, and each one holds memory and a hub client until it closes, so an
 * upgrade over either cap is refused (429, before the upgrade: nothing is held for it).
 * A slot is taken before the upgrade and given back when the connection closes, whichever
 * way it ends. In memory, per instance, like the other widget limits.
 */
export class SocketSlots {
  readonly #byVisitor = new Map<string, number>();
  readonly #byAddress = new Map<string, number>();

  constructor(private readonly limits: { perVisitor: number; perAddress: number }) {}

  /** A slot for this token and address, with its release (callable once), or which cap is reached. */
  take(token: string, address: string): { release: () => void } | { full: 'visitor' | 'address' } {
    if ((this.#byVisitor.get(token) ?? 0) >= this.limits.perVisitor) return { full: 'visitor' };
    if ((this.#byAddress.get(address) ?? 0) >= this.limits.perAddress) return { full: 'address' };
    add(this.#byVisitor, token, 1);
    add(this.#byAddress, address, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        add(this.#byVisitor, token, -1);
        add(this.#byAddress, address, -1);
      },
    };
  }
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  // Keys at zero are forgotten, so the maps hold only what is open.
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
