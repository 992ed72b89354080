import { useState } from 'react';
import type { Conversation } from '../../src/api/types';
import { useSubmit } from '../../src/ui/useSubmit';
import { postForm } from './api';
import { FilePicker } from './FilePicker';
import { follow } from './router';

// A new ticket: subject, description, type and files, sent as one multipart request.

const TYPES = [
  ['support', 'Support'],
  ['sales', 'Sales'],
  ['general', 'General'],
] as const;

export function NewTicketPage() {
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [type, setType] = useState<(typeof TYPES)[number][0]>('support');
  const [files, setFiles] = useState<File[]>([]);
  const [created, setCreated] = useState<Conversation | null>(null);

  const { busy, error, submit } = useSubmit(async () => {
    const form = new FormData();
    form.append('subject', subject);
    form.append('body', body);
    form.append('type', type);
    for (const file of files) form.append('files', file, file.name);
    setCreated((await postForm<{ conversation: Conversation }>('/api/conversations', form)).conversation);
  });

  if (created) {
    return (
      <div className="card">
        <h1>Ticket created</h1>
        <p role="status">
          Your ticket number is <strong>{created.number}</strong>. We will answer here, and you can follow it under My conversations.
        </p>
        <p>
          <a href={`/portal/conversations/${created.number}`} onClick={follow}>
            Open {created.number}
          </a>
        </p>
      </div>
    );
  }

  return (
    <form className="card wide" onSubmit={submit}>
      <h1>New ticket</h1>
      <label>
        Subject
        <input required maxLength={500} value={subject} onChange={(e) => setSubject(e.target.value)} />
      </label>
      <label>
        Description
        <textarea required rows={8} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value as typeof type)}>
          {TYPES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <FilePicker files={files} onChange={setFiles} />
      {error && <p role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send ticket'}
        </button>
        <a href="/portal" onClick={follow}>
          Cancel
        </a>
      </div>
    </form>
  );
}
