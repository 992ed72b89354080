import { type DragEvent, useId, useRef, useState } from 'react';
import { fileSize } from './words';

// Files to send with a message: dropped on the zone or picked with the input labelled
// "Attach files"; each can be taken off again before sending.

export function FilePicker({ files, onChange }: { files: File[]; onChange(files: File[]): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hint = useId();

  const add = (list: FileList | null) => {
    if (list && list.length > 0) onChange([...files, ...Array.from(list)]);
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    add(event.dataTransfer.files);
  };

  return (
    <div className="files">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for dragged files only; the file input inside is the keyboard's way in. */}
      <div
        className={over ? 'drop over' : 'drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <span id={hint}>Drop files here, or</span>{' '}
        <label className="pick">
          choose files
          <input
            ref={input}
            type="file"
            multiple
            aria-label="Attach files"
            aria-describedby={hint}
            onChange={(event) => {
              add(event.target.files);
              // The same file may be picked again after being removed.
              event.target.value = '';
            }}
          />
        </label>
      </div>
      {files.length > 0 && (
        <ul className="chosen" aria-label="Files to send">
          {files.map((file, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a picked File has no id and may be picked twice; the rows hold no state.
            <li key={`${file.name}-${index}`}>
              {file.name} <span className="muted">({fileSize(file.size)})</span>{' '}
              <button type="button" className="link" onClick={() => onChange(files.filter((_, i) => i !== index))} aria-label={`Remove ${file.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
