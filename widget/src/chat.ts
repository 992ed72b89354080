import { createWidgetApi, describeFailure } from './api';
import { attachmentHref } from './links';
import { type LiveSocket, openLiveSocket } from './live-socket';
import { lastMessageId, markEchoed, mergeMessages, type Outgoing } from './messages';
import { createReadReporter } from './read-reporter';
import { OPEN_KEY, readStored, SEEN_KEY, TOKEN_KEY, writeStored } from './storage';
import type { Conversation, Details, Identity, LiveFrame, Message, Session, Survey, Visitor, WidgetConfig } from './types';
import { createTypingSender } from './typing-sender';

/** A message on its way to the server, shown at once; a failed one waits for retry or removal. */
export type ChatState = {
  open: boolean;
  phase: 'idle' | 'starting' | 'ready' | 'failed';
  /** The last failure, in words for the visitor; cleared by the next success. */
  problem: string | null;
  config: WidgetConfig | null;
  visitor: Visitor;
  conversation: Conversation | null;
  messages: Message[];
  outgoing: Outgoing[];
  /** The name of whoever on the team (or the bot) is typing. */
  typing: string | null;
  /** The highest message id the visitor has had in front of them. */
  seen: number;
  preChatSkipped: boolean;
  /** The current chat's satisfaction survey once the team asked (a rating card), or null. */
  survey: Survey | null;
};

export type Chat = ReturnType<typeof createChat>;

// The team's clients repeat "typing" every ~3 s; a lost "stopped" must not leave it forever.
const TYPING_SHOWN_MS = 6000;

/** The widget's one state and every action on it; the UI renders the state and calls these. */
export function createChat(origin: string, embedded: { identity: Identity | null; details: Details }) {
  let token = readStored(TOKEN_KEY);
  const api = createWidgetApi(origin, () => token);
  const listeners = new Set<() => void>();
  let identity = embedded.identity;
  const storedSeen = readStored(SEEN_KEY);
  // A browser new to this visitor (a signed-in user's other device) has nothing unread:
  // the history the first session brings counts as seen.
  let firstSessionIsSeen = storedSeen === null;
  let state: ChatState = {
    open: readStored(OPEN_KEY) === '1',
    phase: 'idle',
    problem: null,
    config: null,
    visitor: { name: null, email: null },
    conversation: null,
    messages: [],
    outgoing: [],
    typing: null,
    seen: Number(storedSeen) || 0,
    preChatSkipped: false,
    survey: null,
  };
  let live: LiveSocket | null = null;
  let starting: Promise<void> | null = null;
  let typingShown: ReturnType<typeof setTimeout> | undefined;
  let outgoingKeys = 0;

  const reads = createReadReporter((upTo) => api.read(upTo));
  const typingSender = createTypingSender((typing) => {
    if (state.conversation) api.typing(typing).catch(() => undefined);
  });

  function update(patch: Partial<ChatState>): void {
    state = { ...state, ...patch };
    const last = lastMessageId(state.messages);
    if (state.open && last > state.seen) markSeen(last);
    for (const listener of listeners) listener();
  }

  function markSeen(id: number): void {
    state = { ...state, seen: id };
    writeStored(SEEN_KEY, String(id));
  }

  function requestSession(details: Details): Promise<Session> {
    return api.session({ ...details, visitorToken: token ?? undefined, identity: identity ?? undefined });
  }

  /** Adopts a session: its token, its thread, and a live stream resuming where it ends. */
  function sessionPatch(session: Session): Partial<ChatState> {
    token = session.visitorToken;
    writeStored(TOKEN_KEY, token);
    live?.close();
    live = openLiveSocket(origin, token, session.lastEventId, onFrame);
    const messages = mergeMessages([], session.messages);
    if (firstSessionIsSeen) {
      firstSessionIsSeen = false;
      markSeen(lastMessageId(messages));
    }
    return { visitor: session.visitor, conversation: session.conversation, messages, problem: null };
  }

  function onFrame(frame: LiveFrame): void {
    switch (frame.type) {
      case 'message.created': {
        const fromTeam = frame.data.sender.type !== 'customer';
        const messages = mergeMessages(state.messages, [frame.data]);
        const outgoing = fromTeam || messages === state.messages ? state.outgoing : markEchoed(state.outgoing, frame.data);
        update({ messages, outgoing, ...(fromTeam ? { typing: null } : {}) });
        break;
      }
      case 'conversation.updated':
        // An older conversation's change must not replace the one being chatted in.
        if (!state.conversation || frame.data.id >= state.conversation.id) update({ conversation: frame.data });
        break;
      case 'ready':
        // Back online: a report lost while the connection was down goes now.
        reads.retry();
        break;
      case 'csat.updated':
        // The frame says only that it changed: the survey is read with the visitor's token.
        void refreshSurvey();
        break;
      case 'typing':
        clearTimeout(typingShown);
        if (frame.data.typing) typingShown = setTimeout(() => update({ typing: null }), TYPING_SHOWN_MS);
        update({ typing: frame.data.typing ? frame.data.name : null });
        break;
    }
  }

  async function refreshSurvey(): Promise<void> {
    try {
      update({ survey: (await api.survey()).survey });
    } catch {
      // No card is no harm: the next frame or session tries again.
    }
  }

  function start(): Promise<void> {
    starting ??= (async () => {
      update({ phase: 'starting', problem: null });
      try {
        const [config, session] = await Promise.all([api.config(), requestSession(embedded.details)]);
        update({ ...sessionPatch(session), config, phase: 'ready' });
        void refreshSurvey();
      } catch (error) {
        starting = null;
        update({ phase: 'failed', problem: describeFailure(error) });
      }
    })();
    return starting;
  }

  /** A new session call for the same visitor, with what they just told us. */
  async function renewSession(details: Details): Promise<void> {
    await start();
    if (state.phase !== 'ready') return;
    try {
      update(sessionPatch(await requestSession(details)));
    } catch (error) {
      update({ problem: describeFailure(error) });
    }
  }

  async function deliver(item: Outgoing): Promise<void> {
    typingSender.stop();
    try {
      const sent = await api.send(item.body, item.files, item.requestId);
      update({
        conversation: sent.conversation,
        messages: mergeMessages(state.messages, [sent.message, ...sent.replies]),
        outgoing: state.outgoing.filter((other) => other.key !== item.key),
        problem: null,
      });
    } catch (error) {
      update({
        outgoing: state.outgoing.map((other) => (other.key === item.key ? { ...other, failed: true, echoed: false } : other)),
        problem: describeFailure(error),
      });
    }
  }

  return {
    origin,
    attachmentHref: (url: string): string | null => attachmentHref(url, origin, token),
    getState: (): ChatState => state,
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /**
     * Starts at once for a visitor to resume (a stored token, a signed-in user, a panel
     * left open); a new visitor's session waits until they open the chat, so page views
     * alone create no visitors on the server.
     */
    resume(): void {
      if (state.open || token || identity) void start();
    },
    start,
    setOpen(open: boolean): void {
      writeStored(OPEN_KEY, open ? '1' : '0');
      update({ open });
      if (open) void start();
    },
    identify(next: Identity): Promise<void> {
      identity = next;
      return starting ? renewSession({}) : start();
    },
    saveDetails: (details: Details): Promise<void> => renewSession(details),
    skipPreChat: (): void => update({ preChatSkipped: true }),
    send(body: string, files: File[]): Promise<void> {
      // Not crypto.randomUUID: it exists only on https pages, and hosts may be http.
      const requestId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      const item: Outgoing = { key: ++outgoingKeys, requestId, body, files, failed: false };
      update({ outgoing: [...state.outgoing, item] });
      return deliver(item);
    },
    retry(key: number): Promise<void> {
      const item = state.outgoing.find((other) => other.key === key);
      if (!item) return Promise.resolve();
      update({ outgoing: state.outgoing.map((other) => (other === item ? { ...item, failed: false } : other)) });
      return deliver(item);
    },
    discard: (key: number): void => update({ outgoing: state.outgoing.filter((other) => other.key !== key) }),
    async escalate(): Promise<void> {
      try {
        const escalated = await api.escalate();
        update({ conversation: escalated.conversation ?? state.conversation, messages: mergeMessages(state.messages, escalated.replies), problem: null });
      } catch (error) {
        update({ problem: describeFailure(error) });
      }
    },
    typed: (hasText: boolean): void => typingSender.typed(hasText),
    /** The visitor's rating of the chat (1–5) with an optional comment; again before it closes: changed. */
    async rate(rating: number, comment: string): Promise<boolean> {
      try {
        update({ survey: (await api.rate(rating, comment.trim())).survey, problem: null });
        return true;
      } catch (error) {
        update({ problem: describeFailure(error) });
        return false;
      }
    },
    /** A message of the team's or the bot's was on screen (ui/use-seen-reports.ts decides when). */
    sawOnScreen: (id: number): void => reads.saw(id),
  };
}
