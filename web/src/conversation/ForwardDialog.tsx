import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Message } from '../api/types';
import { keys } from '../inbox/cache';
import { Dialog, DialogFormActions } from '../ui/Dialog';
import { showToast } from '../ui/toasts';
import { AddressList } from './AddressList';
import './mail.css';

// Forward a message, or the whole public conversation, by email (POST …/forward): to any
// addresses, with a note. Answers start a conversation of their own unless the agent lets
// them come back here.

type Props = { open: boolean; conversationId: number; message?: Pick<Message, 'id' | 'sender'>; onClose(): void };

export function ForwardDialog({ open, conversationId, message, onClose }: Props) {
  return (
    <Dialog open={open} title={message ? `Forward the message from ${message.sender.name}` : 'Forward the conversation'} onClose={onClose}>
      {open ? <ForwardForm conversationId={conversationId} messageId={message?.id} onClose={onClose} /> : null}
    </Dialog>
  );
}

function ForwardForm({ conversationId, messageId, onClose }: { conversationId: number; messageId?: number; onClose(): void }) {
  const client = useQueryClient();
  const [to, setTo] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [withReplyAddress, setWithReplyAddress] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const forward = useMutation({
    mutationFn: () =>
      endpoints.forward(conversationId, { to, ...(note.trim() ? { note: note.trim() } : {}), ...(messageId ? { messageId } : {}), withReplyAddress }),
    onSuccess: () => {
      showToast('info', `Forwarded to ${to.join(', ')}`);
      void client.invalidateQueries({ queryKey: keys.events(conversationId) });
      onClose();
    },
    onError: (e) => setError(`Couldn’t forward: ${errorMessage(e)}`),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (to.length === 0) return setError('Add at least one address to forward to.');
    setError(null);
    forward.mutate();
  }

  return (
    <form className="mail-dialog-form" onSubmit={submit} aria-label="Forward">
      <AddressList label="To" addresses={to} onChange={setTo} max={10} placeholder="Forward to…" autoFocus />
      <label className="field">
        <span>Note</span>
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={10_000} rows={4} placeholder="A few words for the recipients (optional)" />
      </label>
      <label className="check">
        <input type="checkbox" checked={withReplyAddress} onChange={(e) => setWithReplyAddress(e.target.checked)} />
        Let answers come back into this conversation
      </label>
      <p className="hint">
        {messageId ? 'The message and its files are forwarded.' : 'Every public message and its files are forwarded; internal notes never are.'}
      </p>
      <DialogFormActions error={error} busy={forward.isPending} submit="Forward" busySubmit="Forwarding…" onCancel={onClose} />
    </form>
  );
}
