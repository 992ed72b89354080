import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, opendir, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type AttachmentStorage, type BlobInfo, type BlobSource, BlobTooLargeError, isSha256, type StoredBlob } from './storage.js';

// Blobs on the local filesystem: `<root>/ab/cd/<sha256>`, two levels of fan-out so no
// directory grows huge. Writes go to `<root>/tmp` first and are renamed into place once
// hashed and fsynced, so a blob is either absent or complete, also after a crash. `tmp`
// is inside the root so the rename never crosses filesystems.

const TEMP = 'tmp';
const PART = '.part';
const TRASH = '.trash';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

export class LocalAttachmentStorage implements AttachmentStorage {
  private readonly temp: string;

  constructor(readonly root: string) {
    this.temp = path.join(root, TEMP);
  }

  private blobPath(sha256: string): string {
    // The hash comes from our own rows, but a path is built from it: refuse anything else.
    if (!isSha256(sha256)) throw new Error(`not a sha-256 hash: ${JSON.stringify(sha256)}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(content: BlobSource, options: { maxBytes?: number } = {}): Promise<StoredBlob> {
    await mkdir(this.temp, { recursive: true });
    const temporary = path.join(this.temp, `${randomUUID()}${PART}`);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      for await (const piece of content) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        size += chunk.byteLength;
        if (options.maxBytes !== undefined && size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
        hash.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();

    const sha256 = hash.digest('hex');
    const target = this.blobPath(sha256);
    try {
      // Touching it is how a reused blob tells the cleaner it is about to be referenced;
      // if the cleaner moved it aside a moment ago, this fails and our copy goes in instead.
      const now = new Date();
      await utimes(target, now, now);
      await rm(temporary, { force: true });
      return { sha256, size, created: false };
    } catch (error) {
      if (!isMissing(error)) {
        await rm(temporary, { force: true });
        throw error;
      }
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(temporary, target);
    await syncDirectory(path.dirname(target));
    return { sha256, size, created: true };
  }

  async open(sha256: string): Promise<{ stream: Readable; size: number } | null> {
    let handle;
    try {
      handle = await open(this.blobPath(sha256), 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      // The stream owns the handle from here and closes it when done or destroyed.
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const first of await subdirectories(this.root)) {
      if (first === TEMP) continue;
      for (const second of await subdirectories(path.join(this.root, first))) {
        const directory = path.join(this.root, first, second);
        let entries;
        try {
          entries = await opendir(directory);
        } catch (error) {
          if (isMissing(error)) continue;
          throw error;
        }
        for await (const entry of entries) {
          if (!entry.isFile() || !isSha256(entry.name)) continue;
          try {
            const info = await stat(path.join(directory, entry.name));
            yield { sha256: entry.name, size: info.size, modifiedAt: info.mtimeMs };
          } catch (error) {
            if (!isMissing(error)) throw error;
          }
        }
      }
    }
  }

  async deleteIfUnused(sha256: string, guard: { unusedBefore: number; stillUnused: () => Promise<boolean> }): Promise<boolean> {
    const target = this.blobPath(sha256);
    const aside = path.join(this.temp, `${sha256}.${randomUUID()}${TRASH}`);
    await mkdir(this.temp, { recursive: true });
    // Once moved aside, a concurrent put no longer finds it and writes its own copy, so
    // the checks below cannot race with a reuse that starts after them.
    try {
      await rename(target, aside);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    try {
      const { mtimeMs } = await stat(aside);
      if (mtimeMs >= guard.unusedBefore || !(await guard.stillUnused())) {
        await rename(aside, target);
        return false;
      }
      await unlink(aside);
      return true;
    } catch (error) {
      await rename(aside, target).catch(() => {});
      throw error;
    }
  }

  async removeLeftovers(before: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.temp);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.temp, name);
      try {
        if ((await stat(file)).mtimeMs >= before) continue;
        if (name.endsWith(TRASH)) {
          // A deletion interrupted between its move and its checks: the blob may still be
          // referenced, so it goes back and the next round decides again.
          const sha256 = name.slice(0, 64);
          if (!isSha256(sha256)) continue;
          const target = this.blobPath(sha256);
          await mkdir(path.dirname(target), { recursive: true });
          await rename(file, target);
        } else if (name.endsWith(PART)) {
          await unlink(file);
          removed++;
        }
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return removed;
  }
}

async function subdirectories(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Makes a rename durable: the new directory entry survives a power loss, not just the file's bytes. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename itself still happened.
  } finally {
    await handle?.close();
  }
}
