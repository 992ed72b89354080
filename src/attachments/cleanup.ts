import { findReferencedHashes } from '../store/attachments.js';
import type { Store } from '../store/database.js';
import type { AttachmentStorage } from './storage.js';

// Blobs are written before the row that references them (the upload streams while the
// request is still arriving), so a refused or failed request, or a deleted conversation,
// leaves blobs no row uses. They are removed once they have been unused for a while:
// the grace period covers requests still on their way to the commit.

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;
const BATCH = 500;

export type CleanupOptions = {
  store: Store;
  storage: AttachmentStorage;
  /** Only blobs (and leftovers of interrupted writes) untouched for this long go. */
  graceMs?: number;
  now?: () => number;
};

export type CleanupResult = { deleted: number; leftovers: number };

/** Deletes blobs that no attachment row references and that are older than the grace period. */
export async function cleanOrphanAttachments(options: CleanupOptions): Promise<CleanupResult> {
  const { store, storage } = options;
  const before = (options.now ?? Date.now)() - (options.graceMs ?? DEFAULT_GRACE_MS);
  const leftovers = await storage.removeLeftovers(before);
  let deleted = 0;
  const unused = async (sha256: string) => !(await findReferencedHashes(store.db, [sha256])).has(sha256);
  const sweep = async (candidates: string[]) => {
    const referenced = await findReferencedHashes(store.db, candidates);
    for (const sha256 of candidates) {
      if (referenced.has(sha256)) continue;
      // Asked again once the blob is out of reach of new uploads: a row may have been
      // committed since the batch query.
      if (await storage.deleteIfUnused(sha256, { unusedBefore: before, stillUnused: () => unused(sha256) })) deleted++;
    }
  };
  let batch: string[] = [];
  for await (const blob of storage.list()) {
    if (blob.modifiedAt >= before) continue;
    batch.push(blob.sha256);
    if (batch.length >= BATCH) {
      await sweep(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sweep(batch);
  return { deleted, leftovers };
}

export type AttachmentCleaner = {
  /** One round now (also what the timer runs); rounds never overlap. */
  run(): Promise<CleanupResult | null>;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
};

/** Cleans at once and then every `intervalMs` (an hour by default) until stopped. */
export function startAttachmentCleaner(
  options: CleanupOptions & { intervalMs?: number; onError?: (message: string, error: unknown) => void },
): AttachmentCleaner {
  let running: Promise<CleanupResult | null> | null = null;
  let stopped = false;
  const run = () => {
    if (stopped) return Promise.resolve(null);
    running ??= cleanOrphanAttachments(options)
      .catch((error: unknown) => {
        options.onError?.('attachment cleanup failed', error);
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, options.intervalMs ?? DEFAULT_GRACE_MS);
  // A cleaner must never be what keeps the process alive.
  timer.unref();
  void run();
  return {
    run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
