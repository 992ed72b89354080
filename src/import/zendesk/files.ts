import { type AttachmentStorage, storeAttachment, storedImageMarker } from '../../attachments/index.js';
import type { NewAttachment } from '../../store/messages.js';
import type { ZendeskClient } from './client.js';
import type { ZAttachment } from './reader.js';

// A comment's attachments into the attachment store (issue 20): downloaded through the
// client, so a 429 waits and a 5xx is retried with backoff (Zammad lost files to Zendesk's
// passing 503s, zammad #4170); what still fails refuses its message into the report.
// Inline images (Zammad dropped them, #4234) point at their stored copy: the image's src
// becomes the marker the API turns back into the attachment's address.

export type StoredFile = NewAttachment;

export function zendeskFiles(client: ZendeskClient, storage: AttachmentStorage) {
  return async (file: ZAttachment): Promise<StoredFile> => {
    const bytes = await client.bytes(file.content_url);
    return storeAttachment(storage, bytes, { name: file.file_name || `attachment-${file.id}`, declaredType: file.content_type ?? undefined });
  };
}

/** The comment's HTML with each inline image's Zendesk address replaced by its stored copy's marker. */
export function pointInlineImages(html: string, files: readonly { file: ZAttachment; stored: StoredFile }[]): string {
  let out = html;
  for (const { file, stored } of files) {
    for (const url of [file.content_url, file.mapped_content_url]) {
      if (!url) continue;
      for (const spelt of new Set([url, url.replaceAll('&', '&amp;')])) out = out.replaceAll(`src="${spelt}"`, storedImageMarker(stored.sha256));
    }
  }
  return out;
}
