import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import type yazl from 'yazl';
import { DomainError } from '../errors.js';
import { listSpoolNamesAfter } from '../store/email.js';
import type { Db } from '../store/table-copy.js';
import { type MailFile, mailEntry } from './format.js';

// The raw received mail behind email_inbound's rows (DATA_DIR/mail, channels/email/spool.ts):
// archive/ for mail processed (kept to reprocess a failure, and for audit), spool/ for mail
// not processed yet. An export carries each file; a restore puts it back where it lay, so a
// failed mail can still be retried and a pending one is processed at the next start.

const DIRS = ['spool', 'archive'] as const;
/** What the spool itself accepts as a name (spool.ts): nothing of a ZIP may point elsewhere. */
const NAME = /^[\w.-]+\.eml$/;

/** Adds each received mail's raw file to the ZIP, one at a time; returns what went in and the names whose file was gone. */
export async function exportMail(source: Db, mailRoot: string, zip: yazl.ZipFile): Promise<{ mail: MailFile[]; missingMail: string[] }> {
  const mail: MailFile[] = [];
  const missingMail: string[] = [];
  for (let after = '', page = await listSpoolNamesAfter(source.db, after, 500); page.length > 0; page = await listSpoolNamesAfter(source.db, after, 500)) {
    for (const name of page) {
      const found = await openMail(mailRoot, name);
      if (!found) {
        missingMail.push(name);
        continue;
      }
      const { dir, handle } = found;
      const hash = createHash('sha256');
      const hashed = handle.createReadStream().pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        }),
      );
      zip.addReadStream(hashed, mailEntry({ dir, name }));
      // The ZIP has taken this file whole before the next opens: one open file at a time.
      await finished(hashed);
      mail.push({ dir, name, sha256: hash.digest('hex') });
    }
    after = page.at(-1)!;
  }
  return { mail, missingMail };
}

/**
 * The mail's file, open, and where it lay. Opened, not just looked for: a server still
 * running may move it from spool/ to archive/ meanwhile, and an open file stays readable.
 */
async function openMail(mailRoot: string, name: string): Promise<{ dir: MailFile['dir']; handle: FileHandle } | null> {
  for (const dir of DIRS) {
    try {
      return { dir, handle: await open(path.join(mailRoot, dir, name), 'r') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}

/** Refuses a manifest entry that could write outside DATA_DIR/mail. */
export function checkMailFile(mail: MailFile, file: string): void {
  if (!DIRS.includes(mail.dir) || !NAME.test(mail.name) || mail.name.includes('..')) {
    throw new DomainError('conflict', `${file} is damaged: manifest.json names mail ${JSON.stringify(`${mail.dir}/${mail.name}`)}`);
  }
}

/** Writes one mail back where it lay (through a temporary name: never a half file under its own). */
export async function restoreMail(mailRoot: string, mail: MailFile, bytes: Readable): Promise<void> {
  const dir = path.join(mailRoot, mail.dir);
  await mkdir(dir, { recursive: true });
  const partial = path.join(dir, `.${mail.name}.partial`);
  await writeFile(partial, bytes);
  await rename(partial, path.join(dir, mail.name));
}
