import { useId, useState } from 'react';
import type { Message } from '../api/types';
import { Icon } from '../ui/Icon';
import { fullTime, RelativeTime } from '../ui/time';
import { Attachments } from './Attachments';
import { MessageBody } from './MessageBody';
import './auto-message.css';

// Mail no person wrote (an out-of-office, a bounce, list mail) is not the customer
// speaking: it shows as one muted line saying what it is, folded until the agent asks, so
// the thread reads as the conversation it is.

type Auto = NonNullable<Message['auto']>;

export function autoLabel(auto: Auto, senderName: string): string {
  switch (auto) {
    case 'auto_reply':
      return `Automatic reply from ${senderName}`;
    case 'bounce':
      return 'Delivery failure';
    case 'bulk':
      return `List mail from ${senderName}`;
  }
}

/** The first words of the body, so the folded line hints at what is inside. */
const preview = (body: string) => body.replace(/\s+/g, ' ').trim().slice(0, 120);

export function AutoMessageItem({ message, auto }: { message: Message; auto: Auto }) {
  const [open, setOpen] = useState(false);
  const contentId = useId();
  const label = autoLabel(auto, message.sender.name);
  return (
    <article className="message message-auto" data-message-id={message.id} data-auto={auto} data-expanded={open || undefined} aria-label={label}>
      <button type="button" className="auto-toggle" aria-expanded={open} aria-controls={contentId} onClick={() => setOpen(!open)}>
        <span className="auto-chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="auto-label">{label}</span>
        {message.isInternal ? (
          <span className="auto-internal">
            <Icon name="lock" size={12} /> Team only
          </span>
        ) : null}
        {open ? null : <span className="auto-preview">{preview(message.body)}</span>}
        <span className="message-time" title={fullTime(message.sentAt)}>
          <RelativeTime at={message.sentAt} />
        </span>
      </button>
      {/* Rendered only when open: an unopened mail's iframe and images cost nothing. */}
      <div id={contentId} className="auto-content" hidden={!open}>
        {open ? (
          <>
            <MessageBody message={message} />
            {message.attachments.length ? <Attachments attachments={message.attachments} pending={false} /> : null}
          </>
        ) : null}
      </div>
    </article>
  );
}
