import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import { CHANNEL_NAMES, type User } from '../api/types';
import { currentRoute, inboxRoute, navigate } from '../app/route';
import { findInLists, keys, markReadLocally, upsertConversation } from '../inbox/cache';
import { useAgents } from '../inbox/useAgents';
import { setOpenConversation, wasDeleted } from '../live/apply';
import { useLive } from '../live/LiveProvider';
import { describePresence, usePresence } from '../live/presence';
import { Icon } from '../ui/Icon';
import { useShortcut } from '../ui/keyboard';
import { Empty, Failed, Loading } from '../ui/states';
import { useDeleteConversation, usePatchConversation } from './actions';
import { Composer, type ComposerHandle } from './Composer';
import { Details } from './Details';
import { ForwardButton } from './ForwardButton';
import { MacroPicker } from './MacroPicker';
import { SnoozeMenu } from './SnoozeMenu';
import { SpamMenu } from './SpamMenu';
import { Thread } from './Thread';
import { useEvents } from './useEvents';
import { useThread } from './useThread';

const VIEWING_EVERY_MS = 15_000;

export function ConversationView({ id, me, onBack }: { id: number; me: User; onBack(): void }) {
  const client = useQueryClient();
  const conversation = useQuery({ queryKey: keys.conversation(id), queryFn: () => endpoints.conversation(id).then((r) => r.conversation) });
  const thread = useThread(id);
  const messages = thread.query;
  const events = useEvents(id);
  const { agents, byId } = useAgents();
  const patch = usePatchConversation(id, me);
  const remove = useDeleteConversation(id, onBack);
  const composer = useRef<ComposerHandle>(null);
  const live = useLive();
  const presence = usePresence(id);
  const heading = useRef<HTMLHeadingElement>(null);
  // On a phone the details fold away behind a button; on wider screens they always show.
  const [detailsOpen, setDetailsOpen] = useState(false);

  // Opening it reads it, and so does a customer message arriving while it is open.
  const loaded = conversation.data;
  const lastCustomerMessageAt = loaded?.lastCustomerMessageAt;
  useEffect(() => {
    if (lastCustomerMessageAt === undefined) return;
    endpoints.markRead(id).catch(() => undefined); // best effort: the local mark already shows it read
  }, [id, lastCustomerMessageAt]);
  useEffect(() => {
    setOpenConversation(id);
    return () => setOpenConversation(null);
  }, [id]);
  // A merged conversation is a tombstone: its link opens the one it was merged into.
  const mergedInto = loaded?.mergedInto;
  useEffect(() => {
    if (mergedInto) navigate({ ...inboxRoute(currentRoute()), conversationId: mergedInto }, { replace: true });
  }, [mergedInto]);
  useEffect(() => {
    if (!loaded) return;
    markReadLocally(loaded);
    // The single-conversation answer has no `unread`; the lists' copies do.
    if (findInLists(client, loaded.id)?.unread) upsertConversation(client, me.id, loaded, { unread: false });
  }, [client, loaded, me.id]);

  // Others see who has this open; repeated because a report expires on their side.
  const { status: liveStatus, sendPresence } = live;
  useEffect(() => {
    if (liveStatus !== 'live') return;
    sendPresence(id, 'viewing');
    const timer = setInterval(() => sendPresence(id, 'viewing'), VIEWING_EVERY_MS);
    return () => {
      clearInterval(timer);
      sendPresence(id, 'left');
    };
  }, [id, liveStatus, sendPresence]);

  // Focus follows the opened conversation, so a screen reader announces it and Tab
  // continues from there.
  const ready = conversation.data !== undefined;
  useEffect(() => {
    if (ready) heading.current?.focus({ preventScroll: true });
  }, [ready]);

  const c = conversation.data;
  const send = (p: Parameters<typeof patch.mutate>[0]['patch'], what: string) => patch.mutate({ patch: p, what });
  useShortcut('r', (e) => {
    e.preventDefault();
    composer.current?.focus('reply');
  });
  useShortcut('n', (e) => {
    e.preventDefault();
    composer.current?.focus('note');
  });
  // Closed is final for the workflow (inbox/rules.ts): its way back is Reopen, not Resolve.
  const settled = c?.status === 'resolved' || c?.status === 'closed';
  useShortcut('e', () => c && !settled && send({ status: 'resolved' }, 'resolve the conversation'));
  useShortcut('a', () => c && c.assignedTo !== me.id && send({ assignedTo: me.id }, 'assign the conversation'));

  if (wasDeleted(id) || (conversation.error instanceof ApiError && conversation.error.status === 404)) {
    return <Empty title="This conversation was deleted">It may have been deleted by an admin, or the link is wrong.</Empty>;
  }
  if (conversation.isPending) return <Loading label="Loading conversation…" />;
  if (conversation.isError || !c) return <Failed what="the conversation" error={conversation.error} retry={() => void conversation.refetch()} />;

  const who = describePresence(presence);
  return (
    <div className="conversation" data-conversation-id={c.id} data-details={detailsOpen || undefined}>
      <header className="conversation-header">
        <button type="button" className="icon-button back-button" onClick={onBack} aria-label="Back to the list">
          <Icon name="back" size={20} />
        </button>
        <div className="conversation-title">
          <h2 ref={heading} tabIndex={-1}>
            {c.subject}
          </h2>
          <p className="conversation-meta">
            <span className="channel">
              <Icon name={c.channel} size={14} /> {CHANNEL_NAMES[c.channel]}
            </span>
            <span>{c.number}</span>
            {c.legacyRef && <span title="Its reference in the system it was imported from">was {c.legacyRef}</span>}
            {c.customFields && (
              <details className="custom-fields">
                <summary>Imported fields</summary>
                <dl>
                  {Object.entries(c.customFields).map(([name, value]) => (
                    <div key={name}>
                      <dt>{name}</dt>
                      <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            )}
            <span>
              {c.customer.name} &lt;{c.customer.email}&gt;
            </span>
          </p>
          <p className="presence" role="status" aria-live="polite">
            {who ?? ''}
          </p>
        </div>
        <div className="conversation-quick">
          <button
            type="button"
            className="button button-small details-toggle"
            aria-expanded={detailsOpen}
            aria-controls={`details-${c.id}`}
            onClick={() => setDetailsOpen(!detailsOpen)}
          >
            Details
          </button>
          {settled ? (
            <button type="button" className="button button-small" onClick={() => send({ status: 'open' }, 'reopen the conversation')}>
              Reopen
            </button>
          ) : (
            <button type="button" className="button button-small" onClick={() => send({ status: 'resolved' }, 'resolve the conversation')}>
              Resolve
            </button>
          )}
          {c.assignedTo !== me.id ? (
            <button type="button" className="button button-small" onClick={() => send({ assignedTo: me.id }, 'assign the conversation')}>
              Assign to me
            </button>
          ) : null}
          <ForwardButton conversationId={c.id} />
          <MacroPicker conversationId={c.id} me={me} />
          <SnoozeMenu conversation={c} />
          <SpamMenu conversation={c} />
        </div>
      </header>
      <Details id={`details-${c.id}`} conversation={c} me={me} agents={agents} patch={send} onDelete={() => remove.mutate()} />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useAriaPropsSupportedByRole: a scroll container: focusable so the keyboard can scroll it, and Chromium names it "Thread". */}
      <div className="thread" tabIndex={0} aria-label="Thread">
        {messages.data ? (
          <Thread messages={thread.messages} events={events.data ?? []} users={byId} channel={CHANNEL_NAMES[c.channel]} older={thread.older} />
        ) : messages.isError ? (
          <Failed what="the messages" error={messages.error} retry={() => void messages.refetch()} />
        ) : (
          <Loading label="Loading messages…" />
        )}
      </div>
      <Composer key={c.id} conversationId={c.id} me={me} handle={composer} customerName={c.customer.name || c.customer.email} />
    </div>
  );
}
