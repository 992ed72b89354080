import type { Readable } from 'node:stream';

// Where attachment content lives: blobs named by the SHA-256 of their bytes, so the same
// file sent twice is stored once and a row only needs the hash. The filesystem is the
// first implementation (local-storage.ts); an S3-compatible store implements the same.

/** The bytes to store: a Node stream (an upload, a MIME part) or any source of chunks. */
export type BlobSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>;

export type StoredBlob = {
  sha256: string;
  size: number;
  /** False when a blob with these bytes was already stored and has been reused. */
  created: boolean;
};

export type BlobInfo = { sha256: string; size: number; modifiedAt: number };

/** Thrown by `put` when the content passes `maxBytes`; nothing was stored. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`content exceeds ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export interface AttachmentStorage {
  /**
   * Stores the bytes and answers their hash and size. Nothing is visible under the hash
   * until the whole content is durably written; a failed or refused put leaves nothing.
   * Reusing an existing blob refreshes its `modifiedAt`, so the orphan cleaner treats it
   * as just uploaded while the caller writes the row that will reference it.
   */
  put(content: BlobSource, options?: { maxBytes?: number }): Promise<StoredBlob>;

  /** The blob's bytes, or null when there is no such blob. */
  open(sha256: string): Promise<{ stream: Readable; size: number } | null>;

  /** Every stored blob, for the orphan cleaner. */
  list(): AsyncIterable<BlobInfo>;

  /**
   * Deletes a blob the caller believes unused, unless that changes meanwhile. The
   * implementation first makes the blob unavailable for reuse by `put`, then deletes it
   * only if it still was not modified after `unusedBefore` and `stillUnused()` still
   * answers true; otherwise it puts the blob back. Answers whether it deleted.
   */
  deleteIfUnused(sha256: string, guard: { unusedBefore: number; stillUnused: () => Promise<boolean> }): Promise<boolean>;

  /** Removes leftovers of interrupted writes older than `before`; answers how many. */
  removeLeftovers(before: number): Promise<number>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}
