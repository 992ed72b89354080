import type { CannedFiles } from '../api/endpoints';
import { Icon } from '../ui/Icon';
import { formatSize } from '../ui/size';

// Files picked to send, shared by the composer and the New conversation dialog: the
// Attach button and the chips of what is picked, each removable.

export function AttachButton({ onAdd }: { onAdd(files: File[]): void }) {
  return (
    <label className="button button-small attach-button">
      <Icon name="paperclip" size={14} />
      <span aria-hidden="true">Attach</span>
      <input
        type="file"
        multiple
        aria-label="Attach files"
        className="visually-hidden"
        onChange={(e) => {
          // Copied now: the input's own list empties when it is reset below.
          const added = [...(e.target.files ?? [])];
          // The same file may be picked again after it was removed.
          e.target.value = '';
          if (added.length) onAdd(added);
        }}
      />
    </label>
  );
}

export function FileChips({ files, onRemove }: { files: File[]; onRemove(index: number): void }) {
  if (!files.length) return null;
  return (
    <ul className="composer-files" aria-label="Files to send">
      {files.map((file, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a picked File has no id and may be picked twice; the rows hold no state.
        <li key={`${i}-${file.name}`} className="file-chip">
          <Icon name="paperclip" size={12} />
          <span className="file-chip-name">{file.name}</span>
          <span className="attachment-size">{formatSize(file.size)}</span>
          <button type="button" className="tag-remove" aria-label={`Remove ${file.name}`} onClick={() => onRemove(i)}>
            <Icon name="close" size={12} />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The canned replies' files going with the message, one chip per reply: the server attaches a reply's files together. */
export function CannedFileChips({ canned, onRemove }: { canned: CannedFiles[]; onRemove(replyId: number): void }) {
  if (!canned.length) return null;
  return (
    <ul className="composer-files" aria-label="Files from canned replies">
      {canned.map(({ replyId, files }) => {
        const names = files.map((f) => f.name).join(', ');
        return (
          <li key={replyId} className="file-chip">
            <Icon name="paperclip" size={12} />
            <span className="file-chip-name">{names}</span>
            <span className="attachment-size">{formatSize(files.reduce((sum, f) => sum + f.size, 0))}</span>
            <button type="button" className="tag-remove" aria-label={`Remove ${names}`} onClick={() => onRemove(replyId)}>
              <Icon name="close" size={12} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
