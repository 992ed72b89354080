import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/client';
import { cannedReplyEndpoints } from '../api/endpoints';
import type { CannedReply } from '../api/types';
import { AttachButton } from '../conversation/FilePicker';
import { Icon } from '../ui/Icon';
import { formatSize } from '../ui/size';
import { showError, showToast } from '../ui/toasts';

// A canned reply's files on the team page: they go with every message that uses the reply
// (the server attaches the stored files again; nobody uploads them twice).

export function CannedReplyFiles({ reply }: { reply: CannedReply }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const changed = () => void client.invalidateQueries({ queryKey: ['canned-replies'] });
  const add = async (files: File[]) => {
    if (!files.length) return;
    setBusy(true);
    try {
      await cannedReplyEndpoints.addFiles(reply.id, files);
      showToast('info', files.length === 1 ? `${files[0]!.name} added to “${reply.name}”` : `${files.length} files added to “${reply.name}”`);
      changed();
    } catch (error) {
      showError(`Couldn’t add the files: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (file: CannedReply['files'][number]) => {
    try {
      await cannedReplyEndpoints.removeFile(reply.id, file.id);
      changed();
    } catch (error) {
      showError(`Couldn’t remove ${file.name}: ${errorMessage(error)}`);
    }
  };
  if (!reply.files.length && !reply.canManage) return null;
  return (
    <div className="canned-files">
      {reply.files.length ? (
        <ul className="composer-files" aria-label={`Files of ${reply.name}`}>
          {reply.files.map((file) => (
            <li key={file.id} className="file-chip">
              <Icon name="paperclip" size={12} />
              <span className="file-chip-name">{file.name}</span>
              <span className="attachment-size">{formatSize(file.size)}</span>
              {reply.canManage ? (
                <button type="button" className="tag-remove" aria-label={`Remove ${file.name} from ${reply.name}`} onClick={() => void remove(file)}>
                  <Icon name="close" size={12} />
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {reply.canManage && !busy ? <AttachButton onAdd={(files) => void add(files)} /> : null}
    </div>
  );
}
