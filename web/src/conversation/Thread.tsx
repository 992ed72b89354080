import { useEffect, useRef } from 'react';
import type { ConversationEvent, Message, User } from '../api/types';
import { initials } from '../inbox/Sidebar';
import { Icon } from '../ui/Icon';
import { fullTime, RelativeTime } from '../ui/time';
import { describeEvent } from './describeEvent';
import { HtmlBody } from './HtmlBody';

type Item = { kind: 'message'; at: number; order: number; message: Message & { pending?: true } } | { kind: 'event'; at: number; order: number; event: ConversationEvent; text: string };

const SENDER_TYPE: Record<Message['sender']['type'], string> = { customer: 'Customer', admin: 'Agent', bot: 'Bot' };

const formatSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function MessageItem({ message, channel }: { message: Message & { pending?: true }; channel: string }) {
  const kind = message.isInternal ? 'note' : message.sender.type;
  return (
    <article className={`message message-${kind}`} data-message-id={message.id} data-pending={message.pending || undefined} aria-label={`${message.isInternal ? 'Internal note' : 'Message'} from ${message.sender.name}`}>
      <header className="message-header">
        <span className={`avatar avatar-${message.sender.type}`} aria-hidden="true">
          {initials(message.sender.name)}
        </span>
        <span className="message-sender">{message.sender.name}</span>
        <span className="message-type">{SENDER_TYPE[message.sender.type]}</span>
        {message.isInternal ? (
          <span className="note-flag">
            <Icon name="lock" size={12} /> Internal note · invisible to the customer
          </span>
        ) : (
          <span className="message-channel">via {channel}</span>
        )}
        <span className="message-time" title={fullTime(message.sentAt)}>
          {message.pending ? 'Sending…' : <RelativeTime at={message.sentAt} />}
        </span>
      </header>
      {message.htmlBody ? <HtmlBody html={message.htmlBody} title={`Email from ${message.sender.name}`} /> : <div className="message-body">{message.body}</div>}
      {message.attachments.length ? (
        <ul className="attachments" aria-label="Attachments">
          {message.attachments.map((a) => (
            <li key={a.id}>
              <a href={a.url} download={a.name} className="attachment">
                <Icon name="paperclip" size={14} />
                <span>{a.name}</span>
                <span className="attachment-size">{formatSize(a.size)}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}

export function Thread({ messages, events, users, channel }: { messages: Message[]; events: ConversationEvent[]; users: Map<number, User>; channel: string }) {
  const items: Item[] = [
    ...messages.map((message, i) => ({ kind: 'message' as const, at: message.sentAt, order: i, message })),
    ...events.flatMap((event) => {
      const text = describeEvent(event, users);
      return text ? [{ kind: 'event' as const, at: event.createdAt, order: 1e9 + event.id, event, text }] : [];
    }),
  ].sort((a, b) => a.at - b.at || a.order - b.order);

  // Follow the conversation as it grows, unless the agent scrolled up to read.
  const end = useRef<HTMLDivElement>(null);
  const count = items.length;
  const first = useRef(true);
  useEffect(() => {
    const target = end.current;
    const scroller = target?.closest('.thread');
    if (!target || !scroller) return;
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 240;
    if (first.current || nearBottom) target.scrollIntoView({ block: 'end' });
    first.current = false;
  }, [count]);

  return (
    <>
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
