import { useMemo, useState } from 'react';
import type { Message } from '../api/types';
import { FormattedBody, isFormatted } from './FormattedBody';
import { HtmlBody } from './HtmlBody';
import { splitHtmlQuote, splitTextQuote } from './quotes';

/** A message's text or HTML, its quoted history folded away behind a toggle. */
export function MessageBody({ message }: { message: Message }) {
  const [expanded, setExpanded] = useState(false);
  const { htmlBody, body } = message;
  // A team member's formatting has no mail quote to fold: a quote in it is one they wrote.
  const formatted = isFormatted(message);
  const split = useMemo(() => (formatted ? null : htmlBody ? splitHtmlQuote(htmlBody) : splitTextQuote(body)), [formatted, htmlBody, body]);

  const toggle = split ? (
    <button type="button" className="quote-toggle" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
      {expanded ? 'Hide quoted text' : 'Show quoted text'}
    </button>
  ) : null;

  if (formatted && htmlBody) {
    return (
      <div className="message-body">
        <FormattedBody html={htmlBody} />
      </div>
    );
  }
  if (htmlBody) {
    const html = !split ? htmlBody : expanded ? `${split.visible}<div class="ot-quoted">${split.quoted}</div>` : split.visible;
    return (
      <>
        <HtmlBody html={html} title={`Email from ${message.sender.name}`} />
        {toggle}
      </>
    );
  }
  return (
    <>
      <div className="message-body">{split ? split.visible : body}</div>
      {split && expanded ? <div className="message-body quoted-text">{split.quoted}</div> : null}
      {toggle}
    </>
  );
}
