import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/database.js';
import { listDeliveries } from '../src/store/notification-deliveries.js';
import { startTestApp } from './support/app.js';
import { MAIL_PEERS, SUPPORT, testEmailConfig, useSink, waitFor } from './support/email.js';
import { runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// Issue 18 "Email": a notification mail whose sending job was committed when the process
// died (SIGKILL, between the commit and the SMTP transaction) goes out after the restart,
// and once only however often the worker runs.

describe.skipIf(!MAIL_PEERS.aiosmtpd)('notification mail across SIGKILL', () => {
  const sink = useSink();
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('the mail queued before the kill goes out once after the restart', async () => {
    const { env, cleanup } = await makeDatabaseEnv();
    cleanups.push(cleanup);
    const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
    const crashed = await runScript('test/fixtures/notification-mail-crash.ts', [], {
      ...env,
      PORT: '0',
      PUBLIC_URL: 'http://localhost:3000',
      SUPPORT_ADDRESSES: SUPPORT,
      SMTP_URL: smtpUrl,
      SMTP_LISTEN_PORT: '',
      LOG_LEVEL: 'silent',
    });
    expect(crashed.code, crashed.stderr).toBeNull(); // killed by its signal
    const made = JSON.parse(crashed.stdout.trim().split('\n').at(-1)!) as { agent: string; conversationId: number; ran: number };
    expect(made.ran).toBeGreaterThan(0);
    expect(await sink.received()).toEqual([]);

    const store = openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
    const app = await startTestApp({ store, config: { email: { ...testEmailConfig(), smtpListenPort: null, smtpUrl } } });
    try {
      for (let round = 0; round < 5; round++) await app.composition.worker.runOnce();
      const mails = await waitFor(async () => {
        const got = (await sink.received()).filter((m) => m.text?.includes('Killed before sending'));
        return got.length > 0 && got;
      });
      for (let round = 0; round < 3; round++) await app.composition.worker.runOnce();
      expect(await sink.received()).toHaveLength(mails.length);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.headers.get('auto-submitted')).toBe('auto-generated');
      const user = await store.db.selectFrom('users').select('id').where('email', '=', made.agent).executeTakeFirstOrThrow();
      const deliveries = (await listDeliveries(store.db, Number(user.id), { before: null, limit: 10 })).filter((d) => d.channel === 'email');
      expect(deliveries.map((d) => [d.conversationId, d.status, d.target])).toContainEqual([made.conversationId, 'sent', made.agent]);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
