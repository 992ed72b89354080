import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

// Where raw mail becomes durable before anyone is told "250 OK".
//
//   <root>/tmp/      a mail still arriving; removed at start (nobody got a 250 for it)
//   <root>/spool/    received and durable, maybe not processed yet
//   <root>/archive/  processed (or failed): the raw copy kept for reprocessing and audit
//
// A mail is written to tmp/, fsynced, renamed into spool/ and the directory fsynced: from
// then on it survives a crash or a power cut. Only then is its row inserted. The file is
// the source of truth, not the row: SQLite runs with synchronous=NORMAL, so a power cut
// can lose the last commits, but at start every spool file without a row gets one (see
// ingest.ts), so nothing that got a 250 is lost. (PostgreSQL commits durably anyway.)

const ENVELOPE_PREFIX = 'X-Onethread-Envelope: ';

/** How much of the start of a mail is kept to read its header block. */
const HEADER_BYTES = 256 * 1024;

/** Raw mail as it arrives: an SMTP DATA stream, or an IMAP message's bytes. */
export type MailSource = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;

export type Envelope = { from: string | null; to: string[] };
export type MailOrigin = 'smtp' | 'imap';

export type ReceivedMail = {
  tmpPath: string;
  origin: MailOrigin;
  envelope: Envelope;
  size: number;
  sha256: string;
  /** The start of the mail, up to the end of its header block (or HEADER_BYTES). */
  head: Buffer;
  /** The stream went past `maxBytes`; it was read to the end but not kept. */
  tooLarge: boolean;
};

export class MailSpool {
  readonly tmpDir: string;
  readonly spoolDir: string;
  readonly archiveDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.spoolDir = path.join(root, 'spool');
    this.archiveDir = path.join(root, 'archive');
  }

  /** Creates the folders and removes mail that was still arriving when the process stopped. */
  async init(): Promise<void> {
    for (const dir of [this.tmpDir, this.spoolDir, this.archiveDir]) await mkdir(dir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) await rm(path.join(this.tmpDir, name), { force: true });
  }

  /**
   * Writes a mail to tmp/, hashing it on the way. Past `maxBytes` it keeps reading (an
   * SMTP client must be allowed to finish sending before it hears 552) but stops writing.
   * The file starts with one line of our own, the SMTP envelope, so a mail recovered at
   * start is processed exactly as it would have been; `read` leaves it out.
   */
  async receive(source: MailSource, options: { maxBytes: number; origin: MailOrigin; envelope: Envelope }): Promise<ReceivedMail> {
    const { maxBytes, origin, envelope } = options;
    const tmpPath = path.join(this.tmpDir, `${randomUUID()}.part`);
    const handle = await open(tmpPath, 'wx', 0o600);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let tooLarge = false;
    // A write that fails (disk full) does not stop the reading either: the sender hears 451 only after it finished.
    let failure: unknown = null;
    try {
      await handle.write(`${ENVELOPE_PREFIX}${JSON.stringify(envelope)}\r\n`);
    } catch (error) {
      failure = error;
    }
    try {
      for await (const piece of source) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        size += chunk.byteLength;
        if (tooLarge || failure) continue;
        if (size > maxBytes) {
          tooLarge = true;
          continue;
        }
        hash.update(chunk);
        if (headLength < HEADER_BYTES) {
          const part = Buffer.from(chunk.subarray(0, HEADER_BYTES - headLength));
          head.push(part);
          headLength += part.byteLength;
        }
        try {
          await handle.write(chunk);
        } catch (error) {
          failure = error;
        }
      }
      if (!tooLarge && !failure) await handle.sync();
    } catch (error) {
      // The source broke off (the client went away) or the fsync failed.
      failure ??= error;
    }
    await handle.close().catch(() => undefined);
    if (tooLarge || failure) await rm(tmpPath, { force: true });
    if (failure) throw failure;
    return { tmpPath, origin, envelope, size, sha256: hash.digest('hex'), head: Buffer.concat(head), tooLarge };
  }

  /** Makes a received mail durable under a new spool name; answers the name. */
  async commit(received: ReceivedMail, receivedAt: number): Promise<string> {
    const name = `${receivedAt}-${received.origin}-${received.sha256.slice(0, 12)}-${randomUUID().slice(0, 8)}.eml`;
    await rename(received.tmpPath, path.join(this.spoolDir, name));
    await fsyncDirectory(this.spoolDir);
    return name;
  }

  async discard(received: ReceivedMail): Promise<void> {
    await rm(received.tmpPath, { force: true });
  }

  /** Whether this spool holds the mail (spooled or archived). */
  async has(name: string): Promise<boolean> {
    checkName(name);
    for (const dir of [this.spoolDir, this.archiveDir]) {
      try {
        await access(path.join(dir, name));
        return true;
      } catch {
        // not in this one
      }
    }
    return false;
  }

  /** A spooled or archived mail: its raw bytes as received, its envelope and where it came from. */
  async read(name: string): Promise<{ raw: Buffer; envelope: Envelope; origin: MailOrigin }> {
    checkName(name);
    let file: Buffer;
    try {
      file = await readFile(path.join(this.spoolDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      file = await readFile(path.join(this.archiveDir, name));
    }
    const origin: MailOrigin = /^\d+-imap-/.test(name) ? 'imap' : 'smtp';
    if (!file.subarray(0, ENVELOPE_PREFIX.length).equals(Buffer.from(ENVELOPE_PREFIX))) return { raw: file, envelope: { from: null, to: [] }, origin };
    const end = file.indexOf('\r\n');
    const envelope = JSON.parse(file.subarray(ENVELOPE_PREFIX.length, end).toString('utf8')) as Envelope;
    return { raw: file.subarray(end + 2), envelope, origin };
  }

  /** Moves a processed mail out of the spool. Not fsynced: if the move is lost, the start-up scan finds its row and moves it again. */
  async archive(name: string): Promise<void> {
    checkName(name);
    try {
      await rename(path.join(this.spoolDir, name), path.join(this.archiveDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** A spooled mail that turned out to be a copy of one already stored. */
  async remove(name: string): Promise<void> {
    checkName(name);
    await rm(path.join(this.spoolDir, name), { force: true });
  }

  async listSpooled(): Promise<string[]> {
    return (await readdir(this.spoolDir)).filter((name) => name.endsWith('.eml')).sort();
  }
}

function checkName(name: string): void {
  if (!/^[\w.-]+\.eml$/.test(name) || name.includes('..')) throw new Error(`not a spool file name: ${JSON.stringify(name)}`);
}

/** Makes a rename in `dir` durable. */
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The header block of a raw mail (unfolded lines), read from its first bytes. */
export function readHeaderBlock(head: Buffer): Map<string, string[]> {
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const headers = new Map<string, string[]>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return headers;
}
