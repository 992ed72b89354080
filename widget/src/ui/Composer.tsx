import { useRef, useState } from 'preact/hooks';
import type { Chat } from '../chat';
import { AttachIcon } from './icons';

export function Composer({ chat }: { chat: Chat }) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const picker = useRef<HTMLInputElement>(null);
  const canSend = text.trim() !== '' || files.length > 0;

  const send = () => {
    if (!canSend) return;
    void chat.send(text.trim(), files);
    setText('');
    setFiles([]);
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {files.length > 0 && (
        <ul class="files" aria-label="Files to send">
          {files.map((file, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a picked File has no id and may be picked twice; the rows hold no state.
            <li key={index}>
              <span>{file.name}</span>
              <button type="button" aria-label={`Remove ${file.name}`} onClick={() => setFiles(files.filter((other) => other !== file))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        <textarea
          aria-label="Message"
          placeholder="Write a message…"
          rows={1}
          value={text}
          onInput={(event) => {
            setText(event.currentTarget.value);
            chat.typed(event.currentTarget.value.trim() !== '');
          }}
          onKeyDown={(event) => {
            // Enter sends, Shift+Enter is a new line; an IME's Enter only confirms a character.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          onChange={(event) => {
            setFiles([...files, ...Array.from(event.currentTarget.files ?? [])]);
            // Lets the same file be picked again after it was removed.
            event.currentTarget.value = '';
          }}
        />
        <button type="button" class="icon" aria-label="Attach a file" onClick={() => picker.current?.click()}>
          <AttachIcon />
        </button>
        <button type="submit" class="send" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
