import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints, type NewEmailDraft } from '../api/endpoints';
import type { Conversation, User } from '../api/types';
import { AddressList, parseAddresses } from '../conversation/AddressList';
import { AttachButton, FileChips } from '../conversation/FilePicker';
import { refreshCountsSoon } from '../live/apply';
import { Dialog, DialogFormActions } from '../ui/Dialog';
import { useShortcut } from '../ui/keyboard';
import { upsertConversation } from './cache';
import '../conversation/mail.css';

// New conversation: an agent writes to a customer by email first (to an address, with a
// subject, a message, files and Cc). The server mails it through the outbox like every
// reply; the conversation opens at once, its message showing how the mail goes. `c` opens it.

const newKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export function NewConversation({ me, onCreated }: { me: User; onCreated(conversation: Conversation): void }) {
  const [open, setOpen] = useState(false);
  useShortcut('c', (event) => {
    event.preventDefault();
    setOpen(true);
  });
  return (
    <>
      <button
        type="button"
        className="icon-button new-conversation"
        onClick={() => setOpen(true)}
        aria-label="New conversation"
        title="New conversation (c)"
        aria-keyshortcuts="c"
      >
        <svg
          className="icon"
          width={18}
          height={18}
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth={2}
          strokeLinecap="round"
          aria-hidden="true"
        >
          <path d="M12 5v14 M5 12h14" />
        </svg>
      </button>
      <Dialog open={open} title="New conversation by email" onClose={() => setOpen(false)}>
        {open ? (
          <NewConversationForm
            me={me}
            onClose={() => setOpen(false)}
            onCreated={(conversation) => {
              setOpen(false);
              onCreated(conversation);
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

function NewConversationForm({ me, onClose, onCreated }: { me: User; onClose(): void; onCreated(conversation: Conversation): void }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<NewEmailDraft>({ customerEmail: '', customerName: '', subject: '', body: '', cc: [], files: [] });
  const [error, setError] = useState<string | null>(null);
  // One key per draft: a retried send of it starts one conversation.
  const key = useRef(newKey());
  const set = (patch: Partial<NewEmailDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const start = useMutation({
    mutationFn: () => endpoints.startEmailConversation({ ...draft, customerEmail: draft.customerEmail.trim() }, key.current),
    onSuccess: ({ conversation }) => {
      upsertConversation(client, me.id, conversation);
      refreshCountsSoon(client);
      onCreated(conversation);
    },
    onError: (e) => setError(`Couldn’t start the conversation: ${errorMessage(e)}`),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const to = parseAddresses(draft.customerEmail);
    if (to.good.length !== 1 || to.bad.length) return setError('Write one email address in To.');
    if (!draft.subject.trim() || !draft.body.trim()) return setError('A subject and a message are needed.');
    setError(null);
    start.mutate();
  }

  return (
    <form className="mail-dialog-form" onSubmit={submit} aria-label="New conversation">
      <div className="form-grid">
        <label className="field">
          <span>To</span>
          <input
            type="email"
            required
            value={draft.customerEmail}
            onChange={(e) => set({ customerEmail: e.target.value })}
            maxLength={254}
            autoComplete="off"
            autoFocus
            placeholder="customer@example.com"
          />
        </label>
        <label className="field">
          <span>Name (optional)</span>
          <input type="text" value={draft.customerName} onChange={(e) => set({ customerName: e.target.value })} maxLength={200} autoComplete="off" />
        </label>
      </div>
      <AddressList label="Cc" addresses={draft.cc} onChange={(cc) => set({ cc })} placeholder="Copy someone (optional)" />
      <label className="field">
        <span>Subject</span>
        <input type="text" required value={draft.subject} onChange={(e) => set({ subject: e.target.value })} maxLength={500} />
      </label>
      <label className="field">
        <span>Message</span>
        <textarea required value={draft.body} onChange={(e) => set({ body: e.target.value })} rows={6} />
      </label>
      <div className="new-conversation-files">
        <AttachButton onAdd={(added) => set({ files: [...draft.files, ...added] })} />
        <FileChips files={draft.files} onRemove={(index) => set({ files: draft.files.filter((_, j) => j !== index) })} />
      </div>
      <p className="hint">
        Mailed from the support address under your name{me.signature ? ', with your signature' : ''}. Answers come back into the conversation.
      </p>
      <DialogFormActions error={error} busy={start.isPending} submit="Send" busySubmit="Sending…" onCancel={onClose} />
    </form>
  );
}
