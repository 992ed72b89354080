import { useEffect, useRef } from 'preact/hooks';
import type { Chat, ChatState } from '../chat';
import type { Outgoing } from '../messages';
import type { Attachment, Message, WidgetConfig } from '../types';
import { LinkedText } from './LinkedText';
import { RichText } from './RichText';
import { SEEN_ID, useSeenReports } from './use-seen-reports';

// Only these are shown as pictures; the server serves no other type inline.
const INLINE_IMAGE = /^image\/(png|jpeg|gif|webp)$/;

type Props = { state: ChatState; config: WidgetConfig; chat: Chat };

export function Thread({ state, config, chat }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const opening = config.online ? config.greeting : config.offlineMessage;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the triggers: the thread scrolls to its end when it opens, grows or shows the typing line.
  useEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [state.open, state.messages.length, state.outgoing.length, state.typing]);
  useSeenReports(scroller, state, chat);

  return (
    <>
      <div class="thread" ref={scroller} role="log" aria-label="Messages">
        <ol class="messages">
          {opening && (
            <li class="message theirs">
              <div class="bubble">
                <LinkedText text={opening} />
              </div>
            </li>
          )}
          {state.messages.map((message, index) => (
            <MessageItem key={message.id} message={message} previous={state.messages[index - 1]} chat={chat} />
          ))}
          {state.outgoing
            .filter((item) => !item.echoed)
            .map((item) => (
              <OutgoingItem key={`out-${item.key}`} item={item} chat={chat} />
            ))}
        </ol>
      </div>
      {/* Outside the log, so a screen reader does not announce every typing pause. */}
      {state.typing && <p class="typing">{state.typing} is typing…</p>}
    </>
  );
}

function MessageItem({ message, previous, chat }: { message: Message; previous: Message | undefined; chat: Chat }) {
  const mine = message.sender.type === 'customer';
  const sameSender = previous?.sender.type === message.sender.type && previous.sender.name === message.sender.name;
  return (
    <li class={mine ? 'message mine' : 'message theirs'} {...(mine ? {} : { [SEEN_ID]: message.id })}>
      {!mine && !sameSender && <span class="sender">{message.sender.name}</span>}
      {message.body && (
        <div class="bubble" title={new Date(message.sentAt).toLocaleString()}>
          {message.html ? <RichText html={message.html} /> : <LinkedText text={message.body} />}
        </div>
      )}
      {message.attachments.map((attachment) => (
        <AttachmentLink key={attachment.id} attachment={attachment} chat={chat} />
      ))}
    </li>
  );
}

function AttachmentLink({ attachment, chat }: { attachment: Attachment; chat: Chat }) {
  const href = chat.attachmentHref(attachment.url);
  if (!href) return null;
  return (
    <a class="attachment" href={href} target="_blank" rel="noopener noreferrer">
      {INLINE_IMAGE.test(attachment.contentType) ? <img src={href} alt={attachment.name} /> : `${attachment.name} (${formatSize(attachment.size)})`}
    </a>
  );
}

function OutgoingItem({ item, chat }: { item: Outgoing; chat: Chat }) {
  return (
    <li class="message mine">
      {item.body && <div class="bubble pending">{item.body}</div>}
      {item.files.map((file, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a picked File has no id and may be picked twice; the rows hold no state.
        <span key={index} class="attachment pending">
          {file.name}
        </span>
      ))}
      {item.failed ? (
        <span class="state">
          Not sent.{' '}
          <button type="button" class="link" onClick={() => void chat.retry(item.key)}>
            Retry
          </button>{' '}
          <button type="button" class="link" onClick={() => chat.discard(item.key)}>
            Remove
          </button>
        </span>
      ) : (
        <span class="state">Sending…</span>
      )}
    </li>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
