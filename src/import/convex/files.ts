import { type AttachmentStorage, type BlobSource, storeAttachment } from '../../attachments/index.js';
import type { NewAttachment } from '../../store/messages.js';
import type { ConvexSnapshot, StoredFileInfo } from './snapshot.js';

// The export's stored files into the attachment store (issue 20): each checked against the
// SHA-256 `_storage/documents.jsonl` lists for it (Convex writes it in base64; hex is taken
// too). A file that is missing or differs refuses its message into the report; its bytes,
// if stored, are an orphan the attachment cleaner removes.

/** The export's file list, once (ids and hashes only: a few bytes per file). */
export async function convexFiles(snapshot: ConvexSnapshot, storage: AttachmentStorage) {
  const listed = new Map<string, StoredFileInfo>();
  for await (const file of snapshot.storedFiles()) listed.set(file.id, file);
  return async (file: { id: string; name: string | null }): Promise<NewAttachment> => {
    const info = listed.get(file.id);
    const bytes = info ? await snapshot.openStoredFile(file.id) : null;
    if (!info || !bytes) throw new Error(`file ${file.id} is not in the export's _storage`);
    const stored = await storeAttachment(storage, bytes as BlobSource, { name: file.name ?? file.id, declaredType: info.contentType });
    if (info.sha256 && !sameHash(info.sha256, stored.sha256)) throw new Error(`file ${file.id}: its SHA-256 differs from the export's`);
    return stored;
  };
}

const sameHash = (listed: string, hex: string) => listed.toLowerCase() === hex || listed === Buffer.from(hex, 'hex').toString('base64');
