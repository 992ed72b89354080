import { useQuery } from '@tanstack/react-query';
import { type DragEvent, type KeyboardEvent, type Ref, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { type CannedFiles, endpoints } from '../api/endpoints';
import type { User } from '../api/types';
import { keys } from '../inbox/cache';
import { useLive } from '../live/LiveProvider';
import { SignatureNote } from '../profile/SignatureNote';
import { showError } from '../ui/toasts';
import { useSendMessage } from './actions';
import { fillInMessage, placeholdersLeft, useCannedPicker } from './CannedPicker';
import { AttachButton, CannedFileChips, FileChips } from './FilePicker';
import { useFormatting } from './FormatToolbar';
import { useMentionPicker } from './MentionPicker';
import { Recipients } from './Recipients';
import { readDraft, saveDraft, useDraft } from './useDraft';

export type ComposerMode = 'reply' | 'note';
export type ComposerHandle = { focus(mode: ComposerMode): void };

const TYPING_EVERY_MS = 3000;

/** Refusals about the files: too large, too many, a body the server cannot take. */
const FILE_REFUSALS = new Set([413, 415]);

const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

/** A fresh key per draft: a retried send of the same draft is stored once. */
function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; a plain-http LAN address is not one.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function Composer({
  conversationId,
  me,
  handle,
  customerName,
}: {
  conversationId: number;
  me: User;
  handle: Ref<ComposerHandle>;
  customerName: string;
}) {
  // The draft this agent left here, if any (useDraft.ts). The composer is keyed by its
  // conversation, so this is read once per conversation opened.
  const [mode, setMode] = useState<ComposerMode>(() => readDraft(me.id, conversationId)?.mode ?? 'reply');
  const [text, setText] = useState(() => readDraft(me.id, conversationId)?.text ?? '');
  const [files, setFiles] = useState<File[]>([]);
  const [cannedFiles, setCannedFiles] = useState<CannedFiles[]>([]);
  const [sendError, setSendError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const key = useRef(newKey());
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const send = useSendMessage(conversationId, me);
  const live = useLive();
  const mounted = useRef(true);
  const mentions = useMentionPicker({ active: mode === 'note', meId: me.id, text, input, replace: onChange });
  const canned = useCannedPicker({
    conversationId,
    text,
    input,
    replace: onChange,
    onFiles: (reply) =>
      setCannedFiles((current) => (current.some((c) => c.replyId === reply.id) ? current : [...current, { replyId: reply.id, files: reply.files }])),
  });
  const format = useFormatting({ text, input, replace: onChange });
  // A canned reply's placeholders nobody could fill: marked, and a reply is not sent with them.
  const left = mode === 'reply' ? placeholdersLeft(text) : [];
  useDraft(me.id, conversationId, text, mode);
  // The conversation as cached (the same query as the view): its channel and participants for the To/Cc row.
  const conversation = useQuery({
    queryKey: keys.conversation(conversationId),
    queryFn: () => endpoints.conversation(conversationId).then((r) => r.conversation),
  }).data;
  // Whom the reply copies once the agent changed it; null: the participants as they are.
  const [cc, setCc] = useState<string[] | null>(null);
  const mailed = mode === 'reply' && conversation?.channel === 'email';
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useImperativeHandle(handle, () => ({
    focus: (next) => {
      setMode(next);
      input.current?.focus();
    },
  }));

  async function submit() {
    const body = text.trim();
    if ((!body && files.length === 0 && cannedFiles.length === 0) || send.isPending) return;
    if (left.length > 0) {
      setSendError(fillInMessage(left));
      return;
    }
    const sending = files;
    const sendingCanned = cannedFiles;
    // Only a note mentions; the server refuses mentions on a reply.
    const mentioned = mode === 'note' ? mentions.mentionsIn(body) : [];
    setText('');
    setFiles([]);
    setCannedFiles([]);
    setSendError(null);
    try {
      await send.mutateAsync({
        draft: {
          body,
          isInternal: mode === 'note',
          files: sending,
          ...(mailed && cc ? { cc } : {}),
          ...(mentioned.length ? { mentions: mentioned } : {}),
          ...(sendingCanned.length ? { canned: sendingCanned } : {}),
        },
        key: key.current,
      });
      key.current = newKey();
      mentions.forget();
      // Sent: the participants now are what the agent set.
      setCc(null);
    } catch (error) {
      const why =
        error instanceof ApiError && FILE_REFUSALS.has(error.status)
          ? `The files were not sent: ${error.message}`
          : `Couldn’t send the ${mode === 'note' ? 'note' : 'reply'}: ${errorMessage(error)}`;
      // Said beside the draft, which comes back to be sent again; a toast only when the
      // agent has moved on to another conversation.
      if (!mounted.current) {
        // Kept as the draft for when the agent comes back, unless they started another.
        if (!readDraft(me.id, conversationId)) saveDraft(me.id, conversationId, { text: body, mode });
        return showError(body ? `${why} It is kept as a draft.` : why);
      }
      setText((current) => current || body);
      setFiles((current) => (current.length ? current : sending));
      setCannedFiles((current) => (current.length ? current : sendingCanned));
      setSendError(why);
    }
  }

  function addFiles(added: File[]) {
    if (!added.length) return;
    setFiles((current) => [...current, ...added]);
    setSendError(null);
  }

  function onDrop(event: DragEvent<HTMLFormElement>) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    addFiles([...event.dataTransfer.files]);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (canned.onKeyDown(event) || mentions.onKeyDown(event) || format.onKeyDown(event)) return;
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
      data-dragging={dragging || undefined}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="composer-modes" role="radiogroup" aria-label="Message type">
        {/* biome-ignore lint/a11y/useSemanticElements: segmented buttons exposed as radios (tests and screen readers find them so); radio inputs would need new markup and styles. */}
        <button type="button" role="radio" aria-checked={!note} className="mode" onClick={() => setMode('reply')}>
          Reply
        </button>
        {/* biome-ignore lint/a11y/useSemanticElements: segmented buttons exposed as radios (tests and screen readers find them so); radio inputs would need new markup and styles. */}
        <button type="button" role="radio" aria-checked={note} className="mode" onClick={() => setMode('note')}>
          Internal note
        </button>
        {note ? <span className="composer-hint">Invisible to the customer</span> : null}
      </div>
      {mailed && conversation ? <Recipients conversation={conversation} edited={cc} onEdit={setCc} /> : null}
      <label className="visually-hidden" htmlFor={`composer-${conversationId}`}>
        {note ? 'Internal note' : `Reply to ${customerName}`}
      </label>
      {format.toolbar}
      <div className="composer-input">
        <textarea
          id={`composer-${conversationId}`}
          ref={input}
          value={text}
          onChange={(e) => {
            onChange(e.target.value);
            mentions.track(e.target);
            canned.track(e.target);
            if (sendError && placeholdersLeft(e.target.value).length === 0) setSendError(null);
          }}
          onSelect={(e) => {
            mentions.track(e.currentTarget);
            canned.track(e.currentTarget);
          }}
          onKeyDown={onKeyDown}
          rows={3}
          placeholder={note ? 'Write a note for the team… (@ mentions someone, / a canned reply)' : `Reply to ${customerName}… (/ for a canned reply)`}
          {...(canned.shown ? canned.inputProps : note ? mentions.inputProps : {})}
        />
        {canned.list ?? mentions.list}
      </div>
      {format.preview}
      {note ? null : <SignatureNote me={me} />}
      <FileChips files={files} onRemove={(index) => setFiles(files.filter((_, j) => j !== index))} />
      <CannedFileChips canned={cannedFiles} onRemove={(replyId) => setCannedFiles(cannedFiles.filter((c) => c.replyId !== replyId))} />
      {left.length > 0 ? (
        <p className="composer-warning" data-testid="placeholders-left">
          To fill in before sending:{' '}
          {left.map((p) => (
            <code key={p}>{p}</code>
          ))}
        </p>
      ) : null}
      {sendError ? (
        <p className="composer-error" role="alert">
          {sendError}
        </p>
      ) : null}
      <div className="composer-actions">
        <AttachButton onAdd={addFiles} />
        <span className="composer-hint">Ctrl/⌘ + Enter to send{dragging ? ' · drop files to attach' : ''}</span>
        <button
          type="submit"
          className={`button ${note ? 'button-note' : 'button-primary'}`}
          disabled={(!text.trim() && files.length === 0 && cannedFiles.length === 0) || send.isPending}
        >
          {note ? 'Add note' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
