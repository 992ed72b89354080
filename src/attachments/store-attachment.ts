import { DomainError } from '../errors.js';
import type { NewAttachment } from '../store/messages.js';
import { sanitizeFileName } from './names.js';
import { SNIFF_BYTES, sniffContentType } from './sniff.js';
import { type AttachmentStorage, type BlobSource, BlobTooLargeError } from './storage.js';

// The one way content becomes an attachment, for every channel: the HTTP upload, a MIME
// part of an inbound mail, a chat widget's file. The result is the metadata row the inbox
// commands write with the message; until a command does, the blob is an orphan the
// cleaner may remove.

export type AttachmentContent = BlobSource | Uint8Array;

export type AttachmentMeta = {
  /** The file name as the sender gave it; sanitised here. */
  name?: string | null;
  /** The sender's claimed type; used only when the bytes say nothing (see sniff.ts). */
  declaredType?: string | null;
  /** Refuse content larger than this with a too_large DomainError; nothing is stored then. */
  maxBytes?: number;
  /** The input named in a too_large error, e.g. `files`. */
  field?: string;
};

const MB = 1024 * 1024;

/** `25 MB`, `512 KB`, `300 bytes`: limits as people write them (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes >= MB && Number.isInteger((bytes / MB) * 10)) return `${bytes / MB} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** Streams `content` into storage (deduplicated by hash) and answers the row to insert with the message. */
export async function storeAttachment(storage: AttachmentStorage, content: AttachmentContent, meta: AttachmentMeta = {}): Promise<NewAttachment> {
  const name = sanitizeFileName(meta.name);
  const head: Buffer[] = [];
  let headLength = 0;
  const source: BlobSource = content instanceof Uint8Array ? [content] : content;
  async function* sampled() {
    for await (const piece of source) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      if (headLength < SNIFF_BYTES) {
        const part = Buffer.from(chunk.subarray(0, SNIFF_BYTES - headLength));
        head.push(part);
        headLength += part.byteLength;
      }
      yield chunk;
    }
  }
  let stored;
  try {
    stored = await storage.put(sampled(), { maxBytes: meta.maxBytes });
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      throw new DomainError('too_large', `${name} exceeds ${formatBytes(error.maxBytes)}`, meta.field);
    }
    throw error;
  }
  const contentType = await sniffContentType(Buffer.concat(head), { name, declaredType: meta.declaredType });
  return { name, contentType, size: stored.size, sha256: stored.sha256 };
}
