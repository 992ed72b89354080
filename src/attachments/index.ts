// Attachments for every channel: content-addressed blob storage, content sniffing, safe
// names, and the cleaner of blobs no row references.

export type { NewAttachment } from '../store/messages.js';
export { type AttachmentCleaner, type CleanupResult, cleanOrphanAttachments, DEFAULT_GRACE_MS, startAttachmentCleaner } from './cleanup.js';
export { pointStoredImages, storedImageMarker } from './inline-images.js';
export { LocalAttachmentStorage } from './local-storage.js';
export { contentDisposition, sanitizeFileName } from './names.js';
export { isActiveContent, isInlineSafe, safeContentType, servedContentType, sniffContentType } from './sniff.js';
export { type AttachmentStorage, type BlobInfo, type BlobSource, BlobTooLargeError, type StoredBlob } from './storage.js';
export { type AttachmentContent, type AttachmentMeta, formatBytes, storeAttachment } from './store-attachment.js';

export type AttachmentLimits = {
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** Most files on one message. */
  maxFiles: number;
};

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { maxFileBytes: 25 * 1024 * 1024, maxFiles: 10 };
