import { useCallback, useEffect, useRef, useState } from 'react';
import type { Conversation, Message } from '../../src/api/types';
import { FormattedBody, isFormatted } from '../../src/conversation/FormattedBody';
import { useSubmit } from '../../src/ui/useSubmit';
import { ApiError, api, errorText, portalApi, postForm } from './api';
import { FilePicker } from './FilePicker';
import { useLive } from './live';
import { follow } from './router';
import { SurveyCard } from './SurveyCard';
import { fileSize, STATUS_WORDS, when } from './words';

// One conversation: the public thread (the API never sends a customer internal notes or
// the audit trail), the reply box, "Mark as resolved", and live updates.

const ordered = (messages: Message[]) => [...messages].sort((a, b) => a.sentAt - b.sentAt || a.id - b.id);
const withMessage = (messages: Message[], message: Message) => ordered([...messages.filter((m) => m.id !== message.id), message]);

export function ConversationPage({ reference }: { reference: string }) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The page may be addressed by number or id; live frames are matched by id once it is known.
  const shownId = useRef<number | null>(null);
  // Bumped by every live change of the conversation: the satisfaction survey may have come (issue 19).
  const [changes, setChanges] = useState(0);

  const load = useCallback(async () => {
    try {
      const { conversation: found } = await portalApi.conversation(reference);
      // Merged into another conversation: that one is where its messages went.
      if (found.mergedInto !== null) {
        history.replaceState(null, '', `/portal/conversations/${found.mergedInto}`);
        window.dispatchEvent(new PopStateEvent('popstate'));
        return;
      }
      const all: Message[] = [];
      let cursor: string | null = null;
      do {
        const page = await portalApi.messages(found.id, cursor);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      shownId.current = found.id;
      setConversation(found);
      setMessages(ordered(all));
      setError(null);
      // Seen: a reply the customer has read here need not be mailed as well.
      portalApi.markRead(found.id).catch(() => undefined);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 404 ? 'There is no such conversation.' : errorText(caught));
    }
  }, [reference]);
  useEffect(() => {
    void load();
  }, [load]);

  const live = useLive(true, {
    onReady: () => void load(),
    onEvent: (frame) => {
      if (frame.type === 'conversation.deleted') {
        if (frame.data.id === shownId.current) setError('This conversation was deleted.');
        return;
      }
      if (frame.data.conversation.id !== shownId.current) return;
      setConversation(frame.data.conversation);
      setChanges((n) => n + 1);
      if (frame.type === 'message.created') {
        setMessages((list) => withMessage(list, frame.data.message));
        portalApi.markRead(frame.data.conversation.id).catch(() => undefined);
      }
    },
  });

  if (error) {
    return (
      <div className="card">
        <p role="alert">{error}</p>
        <a href="/portal" onClick={follow}>
          Back to my conversations
        </a>
      </div>
    );
  }
  if (!conversation) return <p className="muted">Loading…</p>;

  const resolve = async () => {
    try {
      setConversation((await portalApi.resolve(conversation.id)).conversation);
    } catch (caught) {
      setError(errorText(caught));
    }
  };
  const finished = conversation.status === 'resolved' || conversation.status === 'closed';

  return (
    <article className="conversation" data-live={live}>
      <p>
        <a href="/portal" onClick={follow}>
          ← My conversations
        </a>
      </p>
      <header className="heading">
        <div>
          <h1>{conversation.subject}</h1>
          <p className="muted">
            {conversation.number} ·{' '}
            {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: Chromium reads this label ("Status: Resolved"); the visible word stays what the page shows. */}
            <span className={`status status-${conversation.status}`} aria-label={`Status: ${STATUS_WORDS[conversation.status]}`}>
              {STATUS_WORDS[conversation.status]}
            </span>
          </p>
        </div>
        {!finished && (
          <button type="button" onClick={resolve}>
            Mark as resolved
          </button>
        )}
      </header>
      {finished && <SurveyCard conversationId={conversation.id} version={changes} />}
      <ol className="thread" aria-label="Messages">
        {messages.map((message) => (
          <li key={message.id} className={message.sender.type === 'customer' ? 'mine' : 'theirs'}>
            <p className="who">
              <strong>{message.sender.type === 'customer' ? 'You' : message.sender.name}</strong> <span className="muted">{when(message.sentAt)}</span>
            </p>
            <div className="body">{isFormatted(message) && message.htmlBody ? <FormattedBody html={message.htmlBody} /> : message.body}</div>
            {message.attachments.length > 0 && (
              <ul className="attachments" aria-label="Attachments">
                {message.attachments.map((file) => (
                  <li key={file.id}>
                    <a href={file.url} download={file.name}>
                      {file.name}
                    </a>{' '}
                    <span className="muted">({fileSize(file.size)})</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      <ReplyBox conversationId={conversation.id} onSent={(message) => setMessages((list) => withMessage(list, message))} />
    </article>
  );
}

function ReplyBox({ conversationId, onSent }: { conversationId: number; onSent(message: Message): void }) {
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const { busy, error, submit } = useSubmit(async () => {
    const path = `/api/conversations/${conversationId}/messages`;
    let message: Message;
    if (files.length > 0) {
      const form = new FormData();
      form.append('body', body);
      for (const file of files) form.append('files', file, file.name);
      message = (await postForm<{ message: Message }>(path, form)).message;
    } else {
      message = (await api<{ message: Message }>('POST', path, { body: { body } })).message;
    }
    onSent(message);
    setBody('');
    setFiles([]);
  });

  return (
    <form className="reply" onSubmit={submit}>
      <label>
        Your reply
        <textarea required rows={5} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <FilePicker files={files} onChange={setFiles} />
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send reply'}
      </button>
    </form>
  );
}
