import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { User } from '../api/types';
import { useLive } from '../live/LiveProvider';
import { useSendMessage } from './actions';

export type ComposerMode = 'reply' | 'note';
export type ComposerHandle = { focus(mode: ComposerMode): void };

const TYPING_EVERY_MS = 3000;

/** A fresh key per draft: a retried send of the same draft is stored once. */
function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; a plain-http LAN address is not one.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function Composer({ conversationId, me, handle, customerName }: { conversationId: number; me: User; handle: Ref<ComposerHandle>; customerName: string }) {
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText] = useState('');
  const key = useRef(newKey());
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const send = useSendMessage(conversationId, me);
  const live = useLive();

  useImperativeHandle(handle, () => ({
    focus: (next) => {
      setMode(next);
      input.current?.focus();
    },
  }));

  useEffect(() => {
    key.current = newKey();
  }, [conversationId]);

  async function submit() {
    const body = text.trim();
    if (!body || send.isPending) return;
    setText('');
    try {
      await send.mutateAsync({ body, isInternal: mode === 'note', key: key.current });
      key.current = newKey();
    } catch {
      // The error is on screen (actions.ts); the draft comes back to be sent again.
      setText((current) => current || body);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'Escape') {
      input.current?.blur();
    }
  }

  function onChange(value: string) {
    setText(value);
    const now = Date.now();
    if (value && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      live.sendPresence(conversationId, 'typing');
    }
  }

  const note = mode === 'note';
  return (
    <form
      className={`composer${note ? ' composer-note' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      aria-label="Write"
    >
      <div className="composer-modes" role="radiogroup" aria-label="Message type">
        <button type="button" role="radio" aria-checked={!note} className="mode" onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" role="radio" aria-checked={note} className="mode" onClick={() => setMode('note')}>
          Internal note
        </button>
        {note ? <span className="composer-hint">Invisible to the customer</span> : null}
      </div>
      <label className="visually-hidden" htmlFor={`composer-${conversationId}`}>
        {note ? 'Internal note' : `Reply to ${customerName}`}
      </label>
      <textarea
        id={`composer-${conversationId}`}
        ref={input}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        rows={3}
        placeholder={note ? 'Write a note for the team…' : `Reply to ${customerName}…`}
      />
      <div className="composer-actions">
        <span className="composer-hint">Ctrl/⌘ + Enter to send</span>
        <button type="submit" className={`button ${note ? 'button-note' : 'button-primary'}`} disabled={!text.trim() || send.isPending}>
          {note ? 'Add note' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
