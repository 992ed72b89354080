// Attachments for every channel: content-addressed blob storage, content sniffing, safe
// names, and the cleaner of blobs no row references.
export { cleanOrphanAttachments, startAttachmentCleaner, DEFAULT_GRACE_MS, type AttachmentCleaner, type CleanupResult } from './cleanup.js';
export { pointStoredImages, storedImageMarker } from './inline-images.js';
export { LocalAttachmentStorage } from './local-storage.js';
export { contentDisposition, sanitizeFileName } from './names.js';
export { isActiveContent, isInlineSafe, safeContentType, servedContentType, sniffContentType } from './sniff.js';
export { formatBytes, storeAttachment, type AttachmentContent, type AttachmentMeta } from './store-attachment.js';
export type { NewAttachment } from '../store/messages.js';
export { BlobTooLargeError, type AttachmentStorage, type BlobInfo, type BlobSource, type StoredBlob } from './storage.js';

export type AttachmentLimits = {
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** Most files on one message. */
  maxFiles: number;
};

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { maxFileBytes: 25 * 1024 * 1024, maxFiles: 10 };
