import { ImapFlow, type MailboxObject } from 'imapflow';
import type { Store } from '../../store/database.js';
import { findImapState, saveImapState } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import type { IngestLog, IngestPipeline } from './ingest.js';

// Polls an existing mailbox (IMAP_URL) into the same pipeline as the SMTP listener.
// The mailbox is only read, never changed. Where polling stands — the mailbox's
// UIDVALIDITY and the last UID taken — is kept in the database and advanced after each
// mail is durably in the spool, so a restart or a dropped connection neither skips nor
// refetches. A changed UIDVALIDITY (the server renumbered the mailbox) means starting
// over from UID 1: every mail is fetched again and the ones already stored are
// recognised by their Message-ID (or raw hash) and not stored twice. The connection is
// re-established by itself, with a growing pause (1 s … 60 s) while the server is away;
// new mail is noticed through IDLE (the `exists` event) or at the next poll.

export type ImapPollerOptions = {
  store: Store;
  pipeline: IngestPipeline;
  /** imap://user:pass@host:port/MAILBOX or imaps://… (MAILBOX defaults to INBOX). */
  url: string;
  pollMs: number;
  log?: IngestLog;
};

export type ImapPoller = {
  /** What polling stands at, for tests and diagnostics. */
  readonly stats: { polls: number; fetched: number; stored: number; connects: number; uidValidity: number | null; lastError: string | null };
  /** Polls at once instead of waiting for the next round. */
  wake(): void;
  stop(): Promise<void>;
};

export type ImapTarget = { host: string; port: number; secure: boolean; user: string; pass: string; mailbox: string; key: string };

export function parseImapUrl(url: string): ImapTarget {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  if (!secure && parsed.protocol !== 'imap:') throw new Error('must be an imap:// or imaps:// URL');
  const user = decodeURIComponent(parsed.username);
  const mailbox = decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX';
  const port = parsed.port ? Number(parsed.port) : secure ? 993 : 143;
  return {
    host: parsed.hostname,
    port,
    secure,
    user,
    pass: decodeURIComponent(parsed.password),
    mailbox,
    key: `${user}@${parsed.hostname}:${port}/${mailbox}`,
  };
}

export function startImapPoller(options: ImapPollerOptions): ImapPoller {
  const { store, pipeline } = options;
  const log = options.log ?? ((message, details) => console.error(`email: ${message}`, details ?? ''));
  const target = parseImapUrl(options.url);
  const stats = { polls: 0, fetched: 0, stored: 0, connects: 0, uidValidity: null as number | null, lastError: null as string | null };
  let stopped = false;
  let client: ImapFlow | null = null;
  let wakeUp: (() => void) | null = null;
  let woken = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  async function poll(connection: ImapFlow): Promise<void> {
    const lock = await connection.getMailboxLock(target.mailbox, { readOnly: true });
    try {
      // The mailbox stays selected between polls; NOOP lets the server report what arrived meanwhile.
      await connection.noop();
      const box = connection.mailbox as MailboxObject;
      const uidValidity = Number(box.uidValidity);
      stats.uidValidity = uidValidity;
      const state = await findImapState(store.db, target.key);
      let lastUid = state && state.uidValidity === uidValidity ? state.lastUid : 0;
      if (state && state.uidValidity !== uidValidity) {
        log('IMAP UIDVALIDITY changed: reading the mailbox again; mails already stored are recognised and skipped', {
          mailbox: target.key,
          was: state.uidValidity,
          now: uidValidity,
        });
      }
      const save = () => transact(store, (tx) => saveImapState(tx, { mailbox: target.key, uidValidity, lastUid, updatedAt: Date.now() }));
      if (!state || state.uidValidity !== uidValidity) await save();
      // uidNext is only known from the SELECT, so it is not trusted here; "n:*" is cheap.
      if (box.exists === 0) return;
      for await (const message of connection.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
        // "n:*" always answers the last message, even when its UID is below n.
        if (message.uid <= lastUid || stopped) continue;
        stats.fetched++;
        if (message.source) {
          const result = await pipeline.accept([message.source], { from: null, to: [] }, 'imap');
          if (result.status === 'too_large')
            log('IMAP mail over the size limit left in the mailbox', { mailbox: target.key, uid: message.uid, size: result.size });
          else if (result.status === 'accepted') stats.stored++;
        }
        lastUid = message.uid;
        await save();
      }
    } finally {
      lock.release();
    }
  }

  async function run(): Promise<void> {
    let backoff = 1_000;
    while (!stopped) {
      const connection = new ImapFlow({
        host: target.host,
        port: target.port,
        secure: target.secure,
        auth: { user: target.user, pass: target.pass },
        logger: false,
        // Loopback and private servers often have self-signed certificates; the URL is the admin's choice.
        tls: { rejectUnauthorized: false },
      });
      client = connection;
      connection.on('error', (error: Error) => {
        stats.lastError = error.message;
      });
      connection.on('exists', wake);
      connection.on('close', wake);
      try {
        await connection.connect();
        stats.connects++;
        backoff = 1_000;
        while (!stopped && connection.usable) {
          await poll(connection);
          stats.polls++;
          await pause(options.pollMs);
        }
      } catch (error) {
        stats.lastError = error instanceof Error ? error.message : String(error);
        if (!stopped) log('IMAP polling failed; reconnecting', { mailbox: target.key, error: stats.lastError, retryInMs: backoff });
      } finally {
        client = null;
        try {
          if (connection.usable) await connection.logout();
        } catch {
          // already gone
        }
        connection.close();
      }
      if (!stopped) {
        await pause(backoff);
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  }

  const running = run();
  return {
    stats,
    wake,
    async stop() {
      stopped = true;
      wake();
      client?.close();
      await running;
    },
  };
}
