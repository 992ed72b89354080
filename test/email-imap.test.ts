import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmailChannel, startEmailChannel } from '../src/channels/email/index.js';
import { getConversation } from '../src/inbox/queries.js';
import { countInboundByStatus, findImapState, findInboundByDedupeKey } from '../src/store/email.js';
import { freePort, MAIL_PEERS, rawMail, SUPPORT, testEmailConfig, uniqueId, waitFor } from './support/email.js';
import { useTestInbox } from './support/inbox.js';

// A private dovecot on a free loopback port serves a Maildir; the channel polls it over
// IMAP. Mail dropped into the Maildir is ingested once, a restarted poller fetches
// nothing twice, and a changed UIDVALIDITY is survived without duplicates.

/** Dovecot refuses to run mail processes as root: mail files belong to an ordinary `vmail` user, made here when we may. */
function vmailUser(): { uid: number; gid: number } | null {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'vmail'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'vmail'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : null;
  };
  const found = lookup();
  if (found || process.getuid?.() !== 0) return found;
  spawnSync('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', 'vmail'], { stdio: 'ignore' });
  return lookup();
}

const vmail = MAIL_PEERS.dovecot ? vmailUser() : null;
if (MAIL_PEERS.dovecot && !vmail) {
  console.log('[onethread tests] email IMAP suite skipped: dovecot needs a `vmail` user (useradd -r -M -s /usr/sbin/nologin vmail, as root)');
}

type Dovecot = { dir: string; port: number; maildir: string; start(): Promise<void>; stop(): Promise<void>; drop(raw: string): void };

function privateDovecot(owner: { uid: number; gid: number }): Dovecot {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-dovecot-'));
  chmodSync(dir, 0o755);
  const maildir = path.join(dir, 'mail', SUPPORT);
  for (const sub of ['run', 'state', 'mail', `mail/${SUPPORT}`, `mail/${SUPPORT}/new`, `mail/${SUPPORT}/cur`, `mail/${SUPPORT}/tmp`])
    mkdirSync(path.join(dir, sub), { recursive: true });
  for (const sub of [`mail/${SUPPORT}`, `mail/${SUPPORT}/new`, `mail/${SUPPORT}/cur`, `mail/${SUPPORT}/tmp`])
    chownSync(path.join(dir, sub), owner.uid, owner.gid);
  writeFileSync(path.join(dir, 'users'), `${SUPPORT}:{PLAIN}secret\n`);
  let child: ChildProcess | null = null;
  let drops = 0;
  const dovecot: Dovecot = {
    dir,
    port: 0,
    maildir,
    async start() {
      dovecot.port = dovecot.port || (await freePort());
      writeFileSync(
        path.join(dir, 'dovecot.conf'),
        [
          'protocols = imap',
          'listen = 127.0.0.1',
          `base_dir = ${dir}/run`,
          `state_dir = ${dir}/state`,
          `log_path = ${dir}/dovecot.log`,
          'ssl = no',
          'disable_plaintext_auth = no',
          'auth_mechanisms = plain login',
          `mail_location = maildir:${dir}/mail/%u`,
          'service imap-login {',
          '  inet_listener imap {',
          '    address = 127.0.0.1',
          `    port = ${dovecot.port}`,
          '  }',
          '}',
          'passdb {',
          '  driver = passwd-file',
          `  args = scheme=PLAIN username_format=%u ${dir}/users`,
          '}',
          'userdb {',
          '  driver = static',
          `  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u`,
          '}',
          '',
        ].join('\n'),
      );
      child = spawn('dovecot', ['-c', path.join(dir, 'dovecot.conf'), '-F'], { stdio: 'ignore' });
      await waitFor(
        async () => {
          const net = await import('node:net');
          return new Promise<boolean>((resolve) => {
            const socket = net.connect(dovecot.port, '127.0.0.1', () => {
              socket.destroy();
              resolve(true);
            });
            socket.on('error', () => resolve(false));
          });
        },
        15_000,
        'dovecot to listen',
      );
    },
    async stop() {
      if (!child) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      child = null;
    },
    drop(raw: string) {
      // Maildir delivery: write in tmp/, rename into new/.
      const name = `${Date.now()}.${process.pid}_${++drops}.onethread-test`;
      const temporary = path.join(maildir, 'tmp', name);
      writeFileSync(temporary, raw);
      chownSync(temporary, owner.uid, owner.gid);
      renameSync(temporary, path.join(maildir, 'new', name));
    },
  };
  return dovecot;
}

describe.skipIf(!MAIL_PEERS.dovecot || !vmail)('email over IMAP (a private dovecot)', () => {
  const inbox = useTestInbox();
  let dovecot: Dovecot;
  let dataDir: string;
  let channel: EmailChannel | null = null;

  const startPoller = async () => {
    channel = await startEmailChannel({
      store: inbox.store,
      inbox: inbox.ctx,
      dataDir,
      config: {
        ...testEmailConfig(),
        smtpListenPort: null,
        imapUrl: `imap://${encodeURIComponent(SUPPORT)}:secret@127.0.0.1:${dovecot.port}/INBOX`,
        imapPollMs: 200,
      },
      log: () => {},
    });
    return channel;
  };
  const stopPoller = async () => {
    await channel?.stop();
    channel = null;
  };
  const stored = async (messageId: string) => {
    const row = await findInboundByDedupeKey(inbox.store.db, `mid:${messageId.toLowerCase()}`);
    return row && row.status === 'processed' ? row : null;
  };

  beforeAll(async () => {
    dovecot = privateDovecot(vmail!);
    await dovecot.start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-imap-'));
  });
  afterAll(async () => {
    await stopPoller();
    await dovecot?.stop();
    for (const dir of [dovecot?.dir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mail dropped into the Maildir is ingested once', async () => {
    const first = uniqueId('imap1');
    dovecot.drop(rawMail({ messageId: first, from: 'Uma Ueda <uma@example.org>', subject: 'Via IMAP' }));
    const poller = await startPoller();
    const row = await waitFor(() => stored(first), 20_000, 'the IMAP mail');
    expect(row).toMatchObject({ source: 'imap', senderEmail: 'uma@example.org' });
    expect((await getConversation(inbox.ctx, row.conversationId!)).subject).toBe('Via IMAP');
    // New mail while connected arrives too (IDLE or the next poll).
    const second = uniqueId('imap2');
    dovecot.drop(rawMail({ messageId: second, from: 'uma@example.org', subject: 'Second via IMAP', inReplyTo: first }));
    const reply = await waitFor(() => stored(second), 20_000, 'the second IMAP mail');
    expect(reply.conversationId).toBe(row.conversationId);
    const polls = poller.imap!.stats.polls;
    await waitFor(async () => poller.imap!.stats.polls >= polls + 3, 10_000, 'more polls');
    expect(poller.imap!.stats).toMatchObject({ fetched: 2, stored: 2 });
    expect(await countInboundByStatus(inbox.store.db)).toEqual({ processed: 2 });
  });

  it('a restarted poller fetches nothing it already has', async () => {
    await stopPoller();
    const poller = await startPoller();
    await waitFor(async () => poller.imap!.stats.polls >= 3, 10_000, 'polls after the restart');
    expect(poller.imap!.stats).toMatchObject({ fetched: 0, stored: 0, connects: 1 });
    const state = await findImapState(inbox.store.db, `${SUPPORT}@127.0.0.1:${dovecot.port}/INBOX`);
    expect(state).toMatchObject({ lastUid: 2 });
    expect(await countInboundByStatus(inbox.store.db)).toEqual({ processed: 2 });
  });

  it('survives the server going away and a new UIDVALIDITY: reconnects, refetches, stores nothing twice', async () => {
    const poller = channel!;
    const before = poller.imap!.stats.uidValidity;
    await dovecot.stop();
    // Dovecot forgets its UIDs: the mailbox gets a new UIDVALIDITY (time based, so let a second pass).
    for (const name of readdirSync(dovecot.maildir)) if (name.startsWith('dovecot')) rmSync(path.join(dovecot.maildir, name), { force: true });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const third = uniqueId('imap3');
    dovecot.drop(rawMail({ messageId: third, from: 'vic@example.org', subject: 'After the renumbering' }));
    await dovecot.start();
    await waitFor(() => stored(third), 30_000, 'the mail after the UIDVALIDITY change');
    expect(poller.imap!.stats.connects).toBeGreaterThanOrEqual(2);
    expect(poller.imap!.stats.uidValidity).not.toBe(before);
    // All three were fetched again; the two known ones were recognised.
    expect(poller.imap!.stats).toMatchObject({ fetched: 3, stored: 1 });
    expect(await countInboundByStatus(inbox.store.db)).toEqual({ processed: 3 });
    const state = await findImapState(inbox.store.db, `${SUPPORT}@127.0.0.1:${dovecot.port}/INBOX`);
    expect(state).toMatchObject({ uidValidity: poller.imap!.stats.uidValidity, lastUid: 3 });
  });
});
