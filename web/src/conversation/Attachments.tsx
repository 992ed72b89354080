import type { Attachment } from '../api/types';
import { Icon } from '../ui/Icon';
import { formatSize } from '../ui/size';

/** The types the server serves inline (src/attachments/sniff.ts): only these become thumbnails. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** A message's files: download links named by the file, images with a thumbnail. */
export function Attachments({ attachments, pending }: { attachments: Attachment[]; pending: boolean }) {
  return (
    <ul className="attachments" aria-label="Attachments">
      {attachments.map((a) => (
        <li key={a.id} className="attachment">
          {pending ? (
            // Still uploading: nothing to download yet.
            <span className="attachment-link">
              <Icon name="paperclip" size={14} />
              <span>{a.name}</span>
            </span>
          ) : (
            <a href={a.url} download={a.name} className="attachment-link">
              {IMAGE_TYPES.has(a.contentType) ? <img className="attachment-thumb" src={a.url} alt="" loading="lazy" /> : <Icon name="paperclip" size={14} />}
              <span>{a.name}</span>
            </a>
          )}
          <span className="attachment-size">{formatSize(a.size)}</span>
        </li>
      ))}
    </ul>
  );
}
