import { useCallback, useEffect, useState } from 'react';
import type { Conversation } from '../../src/api/types';
import { errorText, portalApi } from './api';
import { useLive } from './live';
import { follow } from './router';
import { STATUS_WORDS, when } from './words';

// My conversations, from every channel, the latest activity first; kept current live.

const byActivity = (a: Conversation, b: Conversation) => b.lastMessageAt - a.lastMessageAt || b.id - a.id;

export function ConversationsPage() {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    portalApi.conversations().then(
      (page) => setItems(page.items),
      (caught) => setError(errorText(caught)),
    );
  }, []);
  useEffect(load, [load]);

  useLive(true, {
    onReady: load,
    onEvent: (frame) => {
      if (frame.type === 'conversation.deleted') return setItems((list) => list && list.filter((c) => c.id !== frame.data.id));
      const next = frame.data.conversation;
      setItems((list) => list && [next, ...list.filter((c) => c.id !== next.id)].sort(byActivity));
    },
  });

  return (
    <section aria-labelledby="mine">
      <div className="heading">
        <h1 id="mine">My conversations</h1>
        <a className="button" href="/portal/new" onClick={follow}>
          New ticket
        </a>
      </div>
      {error && <p role="alert">{error}</p>}
      {items === null && !error && <p className="muted">Loading…</p>}
      {items?.length === 0 && <p>No conversations yet. Open a ticket and we will answer here.</p>}
      {items && items.length > 0 && (
        <ul className="conversations">
          {items.map((c) => (
            <li key={c.id}>
              <a href={`/portal/conversations/${c.number}`} onClick={follow}>
                <span className="subject">{c.subject}</span>
                <span className={`status status-${c.status}`}>{STATUS_WORDS[c.status]}</span>
                <span className="muted">
                  {c.number} · last activity {when(c.lastMessageAt)}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
