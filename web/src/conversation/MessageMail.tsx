import { useState } from 'react';
import type { Message } from '../api/types';
import { ForwardDialog } from './ForwardDialog';
import type { ThreadMessage } from './Thread';
import './mail.css';

// Under a message's header: the From/To/Cc its mail had (received, or as we sent it), and
// Forward for any public message.

export function MessageMail({ message }: { message: ThreadMessage }) {
  const [forwarding, setForwarding] = useState(false);
  const canForward = !message.isInternal && !message.pending;
  if (!message.email && !canForward) return null;
  return (
    <div className="message-mail">
      {message.email ? <MailHeaders email={message.email} /> : null}
      {canForward ? (
        <>
          <button
            type="button"
            className="button button-small button-ghost forward-button"
            onClick={() => setForwarding(true)}
            aria-label={`Forward the message from ${message.sender.name}`}
          >
            Forward
          </button>
          <ForwardDialog open={forwarding} conversationId={message.conversationId} message={message} onClose={() => setForwarding(false)} />
        </>
      ) : null}
    </div>
  );
}

function MailHeaders({ email }: { email: NonNullable<Message['email']> }) {
  return (
    <dl className="mail-headers" aria-label="Mail headers">
      {email.from ? (
        <>
          <dt>From</dt>
          <dd>{email.from}</dd>
        </>
      ) : null}
      {email.to.length ? (
        <>
          <dt>To</dt>
          <dd>{email.to.join(', ')}</dd>
        </>
      ) : null}
      {email.cc.length ? (
        <>
          <dt>Cc</dt>
          <dd>{email.cc.join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}
