import { useEffect, useLayoutEffect, useRef } from 'react';
import type { ConversationEvent, Message, User } from '../api/types';
import { initials } from '../inbox/Sidebar';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Icon';
import { fullTime, RelativeTime } from '../ui/time';
import { Attachments } from './Attachments';
import { AutoMessageItem } from './AutoMessage';
import { DeliveryStatus } from './DeliveryStatus';
import { describeEvent, statusEventsCausedByMessages } from './describeEvent';
import { MessageBody } from './MessageBody';
import { MessageMail } from './MessageMail';

export type ThreadMessage = Message & { pending?: true };

type Item =
  | { kind: 'message'; at: number; order: number; message: ThreadMessage }
  | { kind: 'event'; at: number; order: number; event: ConversationEvent; text: string };

const SENDER_TYPE: Record<Message['sender']['type'], string> = { customer: 'Customer', admin: 'Agent', bot: 'Bot' };

function MessageItem({ message, channel }: { message: ThreadMessage; channel: string }) {
  if (message.auto) return <AutoMessageItem message={message} auto={message.auto} />;
  const kind = message.isInternal ? 'note' : message.sender.type;
  return (
    <article
      className={`message message-${kind}`}
      data-message-id={message.id}
      data-pending={message.pending || undefined}
      aria-label={`${message.isInternal ? 'Internal note' : 'Message'} from ${message.sender.name}`}
    >
      <header className="message-header">
        {message.sender.type === 'admin' && message.sender.id !== null ? (
          <Avatar user={{ id: message.sender.id, name: message.sender.name }} />
        ) : (
          <span className={`avatar avatar-${message.sender.type}`} aria-hidden="true">
            {initials(message.sender.name)}
          </span>
        )}
        <span className="message-sender">{message.sender.name}</span>
        <span className="message-type">{SENDER_TYPE[message.sender.type]}</span>
        {message.isInternal ? (
          <span className="note-flag">
            <Icon name="lock" size={12} /> Internal note · invisible to the customer
          </span>
        ) : (
          <span className="message-channel">via {channel}</span>
        )}
        <DeliveryStatus message={message} />
        <span className="message-time" title={fullTime(message.sentAt)}>
          {message.pending ? 'Sending…' : <RelativeTime at={message.sentAt} />}
        </span>
      </header>
      <MessageMail message={message} />
      <MessageBody message={message} />
      {message.attachments.length ? <Attachments attachments={message.attachments} pending={message.pending ?? false} /> : null}
    </article>
  );
}

type Props = {
  messages: ThreadMessage[];
  events: ConversationEvent[];
  users: Map<number, User>;
  channel: string;
  older: { has: boolean; loading: boolean; failed: boolean; load(): void };
};

export function Thread({ messages, events, users, channel, older }: Props) {
  // While older messages are not loaded, neither are their events: the thread starts at
  // its oldest loaded message.
  const from = older.has ? (messages[0]?.sentAt ?? 0) : -Infinity;
  const causedByMessages = statusEventsCausedByMessages(events);
  const items: Item[] = [
    ...messages.map((message, i) => ({ kind: 'message' as const, at: message.sentAt, order: i, message })),
    ...events.flatMap((event) => {
      const text = event.createdAt >= from && !causedByMessages.has(event.id) ? describeEvent(event, users) : null;
      return text ? [{ kind: 'event' as const, at: event.createdAt, order: 1e9 + event.id, event, text }] : [];
    }),
  ].sort((a, b) => a.at - b.at || a.order - b.order);

  // Follow the conversation as it grows at the end, unless the agent scrolled up to read;
  // older messages arriving above leave the view where it is.
  const end = useRef<HTMLDivElement>(null);
  const last = items[items.length - 1];
  const lastKey = last ? `${last.kind}${last.kind === 'message' ? last.message.id : last.event.id}` : '';
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: lastKey is the trigger (a new last item), not a value the effect reads.
  useEffect(() => {
    const target = end.current;
    const scroller = target?.closest('.thread');
    if (!target || !scroller) return;
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 240;
    if (first.current || nearBottom) target.scrollIntoView({ block: 'end' });
    first.current = false;
  }, [lastKey]);

  // Older messages arrive above what the agent reads: keep that where it was (browsers do
  // not anchor a scroller at its very top, where the button is).
  const fromBottom = useRef<number | null>(null);
  const firstId = messages[0]?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: firstId is the trigger (older messages arrived above), not a value the effect reads.
  useLayoutEffect(() => {
    const scroller = end.current?.closest('.thread');
    if (fromBottom.current === null || !scroller) return;
    scroller.scrollTop = scroller.scrollHeight - fromBottom.current;
    fromBottom.current = null;
  }, [firstId]);
  const loadOlder = () => {
    const scroller = end.current?.closest('.thread');
    if (scroller) fromBottom.current = scroller.scrollHeight - scroller.scrollTop;
    older.load();
  };

  return (
    <>
      {older.has ? (
        <div className="thread-older">
          {/* Not disabled while loading: a disabled button would drop the keyboard focus. */}
          <button type="button" className="button button-small" onClick={loadOlder} aria-busy={older.loading}>
            {older.loading ? 'Loading older messages…' : 'Load older messages'}
          </button>
          {older.failed && !older.loading ? (
            <p className="thread-older-error" role="alert">
              Couldn’t load older messages. Try again.
            </p>
          ) : null}
        </div>
      ) : null}
      <ol className="thread-items" aria-label="Messages and activity">
        {items.map((item) =>
          item.kind === 'message' ? (
            <li key={`m${item.message.id}`}>
              <MessageItem message={item.message} channel={channel} />
            </li>
          ) : (
            <li key={`e${item.event.id}`} className="event" data-event-type={item.event.eventType}>
              <span>{item.text}</span> · <RelativeTime at={item.at} />
            </li>
          ),
        )}
      </ol>
      <div ref={end} />
    </>
  );
}
