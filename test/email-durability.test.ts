import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmailChannel } from '../src/channels/email/index.js';
import { MailSpool } from '../src/channels/email/spool.js';
import { getConversationMessages } from '../src/inbox/queries.js';
import { openPostgres, openSqlite, type Store } from '../src/store/database.js';
import { countInboundByStatus, findConversationsByMessageIds, findInboundByDedupeKey } from '../src/store/email.js';
import { freePort, rawMail, SUPPORT, testEmailConfig, uniqueId, waitFor } from './support/email.js';
import { useTestInbox } from './support/inbox.js';
import { ROOT } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// Nothing that got a 250 is lost or stored twice: neither when processing stops right
// after the 250, nor when the server is killed (SIGKILL) while mail streams in.

describe('email durability in one process', () => {
  const inbox = useTestInbox();
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('mail accepted while processing is stopped is processed by the next start', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-mail-'));
    dirs.push(dataDir);
    const config = { ...testEmailConfig(), smtpListenPort: null };
    const first = await startEmailChannel({ store: inbox.store, inbox: inbox.ctx, dataDir, config, log: () => {} });
    // The processor is gone the moment after the 250: accept() resolves (that is the 250), nothing is processed.
    await first.pipeline.stop();
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const result = await first.pipeline.accept(
        [rawMail({ from: 'rosa@example.org', subject: `Stopped ${i}` })],
        { from: 'rosa@example.org', to: [SUPPORT] },
        'smtp',
      );
      expect(result.status).toBe('accepted');
      ids.push(result);
    }
    expect(await countInboundByStatus(inbox.store.db)).toMatchObject({ pending: 5 });
    await first.stop();

    // And a crash between the fsync and the row: a spool file nobody indexed.
    const spool = new MailSpool(path.join(dataDir, 'mail'));
    const orphanId = uniqueId('orphan');
    const received = await spool.receive([rawMail({ messageId: orphanId, from: 'rosa@example.org', subject: 'Orphan' })], {
      maxBytes: 1e6,
      origin: 'smtp',
      envelope: { from: 'rosa@example.org', to: [SUPPORT] },
    });
    await spool.commit(received, Date.now());

    const second = await startEmailChannel({ store: inbox.store, inbox: inbox.ctx, dataDir, config, log: () => {} });
    await second.pipeline.idle();
    expect(await countInboundByStatus(inbox.store.db)).toEqual({ processed: 6 });
    const orphan = await findInboundByDedupeKey(inbox.store.db, `mid:${orphanId.toLowerCase()}`);
    expect(orphan).toMatchObject({ status: 'processed', envelopeFrom: 'rosa@example.org' });
    expect((await getConversationMessages(inbox.ctx, orphan!.conversationId!)).items[0]!.body).toBe('Hello, my invoice for March is missing.');
    // Processed mail leaves the spool for the archive.
    expect(readdirSync(path.join(dataDir, 'mail', 'spool'))).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'mail', 'archive'))).toHaveLength(6);
    await second.stop();
  });

  it('a mail received here is taken with its row and filed on that first attempt, its row finished with its message', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-mail-'));
    dirs.push(dataDir);
    const channel = await startEmailChannel({
      store: inbox.store,
      inbox: inbox.ctx,
      dataDir,
      config: { ...testEmailConfig(), smtpListenPort: null },
      log: () => {},
    });
    const messageId = uniqueId('first-attempt');
    const result = await channel.pipeline.accept(
      [rawMail({ messageId, from: 'rosa@example.org', subject: 'Taken at once' })],
      { from: 'rosa@example.org', to: [SUPPORT] },
      'smtp',
    );
    expect(result.status).toBe('accepted');
    await channel.pipeline.idle();
    const row = await findInboundByDedupeKey(inbox.store.db, `mid:${messageId.toLowerCase()}`);
    expect(row).toMatchObject({ status: 'processed', attempts: 1, lockedUntil: null, error: null });
    const [message] = (await getConversationMessages(inbox.ctx, row!.conversationId!)).items;
    expect(message!.id).toBe(row!.messageRowId);
    expect(await findConversationsByMessageIds(inbox.store.db, [messageId.toLowerCase()])).toEqual(new Map([[messageId.toLowerCase(), row!.conversationId]]));
    await channel.stop();
  });
});

type Server = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const check = () => {
      if (/Onethread is running/.test(output)) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before it was ready:\n${output}`)));
  });
}

describe('email durability across SIGKILL', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('300 mails streamed while the server is killed midway and restarted: every 250 exists exactly once', { timeout: 180_000 }, async () => {
    const { env: dbEnv, cleanup } = await makeDatabaseEnv();
    cleanups.push(cleanup);
    const dataDir = dbEnv.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'onethread-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const smtpPort = await freePort();
    const env = {
      ...dbEnv,
      DATA_DIR: dataDir,
      PORT: '0',
      SUPPORT_ADDRESSES: SUPPORT,
      SMTP_LISTEN_PORT: String(smtpPort),
      ONETHREAD_ADMIN_EMAIL: 'admin@example.test',
      ONETHREAD_ADMIN_PASSWORD: 'long enough password',
    };
    const started = Date.now();
    const phase = (name: string) => process.env.EMAIL_TEST_TIMING && console.log(`${name}: ${Date.now() - started} ms`);
    let server = await startServer(env);
    phase('started');
    cleanups.push(() => {
      server.child.kill('SIGKILL');
    });

    const TOTAL = 300;
    const KILL_AFTER = 120;
    const mails = Array.from({ length: TOTAL }, (_, i) => ({
      messageId: uniqueId(`kill${i}`),
      // Five senders, so the flood limit stays out of the way; ~5 KB each.
      from: `sender${i % 15}@example.org`,
      text: `Mail number ${i}\n${'lorem ipsum dolor sit amet '.repeat(190)}`,
    }));
    const acked = new Set<string>();
    const transport = () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        pool: true,
        maxConnections: 10,
        maxMessages: Infinity,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      });
    const sendAll = async (pending: typeof mails, onAck: () => void) => {
      const smtp = transport();
      const outcomes = await Promise.allSettled(
        pending.map(async (mail) => {
          const info = await smtp.sendMail({
            from: mail.from,
            to: SUPPORT,
            subject: `Kill test ${mail.messageId}`,
            messageId: `<${mail.messageId}>`,
            text: mail.text,
          });
          if (/^250 /.test(info.response)) {
            acked.add(mail.messageId);
            onAck();
          }
        }),
      );
      smtp.close();
      return outcomes;
    };

    // Stream everything; SIGKILL once KILL_AFTER mails have their 250.
    let killed = false;
    const firstRound = await sendAll(mails, () => {
      if (!killed && acked.size >= KILL_AFTER) {
        killed = true;
        server.child.kill('SIGKILL');
      }
    });
    await server.exited;
    phase('killed and first round done');
    expect(killed).toBe(true);
    const ackedBeforeKill = new Set(acked);
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(firstRound.some((o) => o.status === 'rejected')).toBe(true);

    // Restart on the same data; a real sending server retries what got no 250.
    server = await startServer(env);
    phase('restarted');
    await sendAll(
      mails.filter((m) => !acked.has(m.messageId)),
      () => {},
    );
    expect(acked.size).toBe(TOTAL);
    phase('second round done');

    const store: Store = dbEnv.DATABASE_URL ? openPostgres(dbEnv.DATABASE_URL) : openSqlite(path.join(dataDir, 'onethread.db'));
    try {
      let counts: Record<string, number> = {};
      await waitFor(
        async () => {
          counts = await countInboundByStatus(store.db);
          return !counts.pending && (counts.processed ?? 0) >= TOTAL;
        },
        60_000,
        'every mail to be processed',
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(counts)}\n${server.output().slice(-3000)}`);
      });
      const keys = mails.map((m) => `email:mid:${m.messageId.toLowerCase()}`);
      const rows = [];
      for (let i = 0; i < keys.length; i += 100) {
        rows.push(
          ...(await store.db
            .selectFrom('messages')
            .select(['externalKey'])
            .where('externalKey', 'in', keys.slice(i, i + 100))
            .execute()),
        );
      }
      const seen = rows.map((r) => r.externalKey);
      // Exactly once each: all there, none twice (the unique key would refuse a second, so count rows as well).
      expect(new Set(seen).size).toBe(TOTAL);
      expect(seen).toHaveLength(TOTAL);
      const inbound = await countInboundByStatus(store.db);
      expect(inbound).toEqual({ processed: TOTAL });
    } finally {
      await store.close();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
