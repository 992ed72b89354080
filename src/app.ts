import path from 'node:path';
import { accountsContext, ensureFirstAdmin } from './accounts/index.js';
import { LocalAttachmentStorage, startAttachmentCleaner } from './attachments/index.js';
import { emailSideEffects, startEmailChannel } from './channels/email/index.js';
import type { Config } from './config.js';
import { createInboxContext, type InboxContext } from './inbox/context.js';
import { registerApi } from './http/api.js';
import { buildServer } from './http/server.js';
import { registerWebApp } from './http/web-app.js';
import { createOutboxWorker, type JobHandler } from './jobs/outbox-worker.js';
import { EventBus } from './inbox/bus.js';
import { openStore, type Store } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

export type App = {
  store: Store;
  inbox: InboxContext;
  url: string;
  /** What this start has to tell about the first admin (its one-time password), or null: the caller prints it last, so it stays on screen. */
  firstAdminNotice: string | null;
  stop(): Promise<void>;
};

/** Opens the store, applies migrations, then starts serving. */
export async function startApp(config: Config): Promise<App> {
  const store = openStore(config, { backgroundCheckpoints: true, onError: (message) => console.error(message) });
  await migrateToLatest(store);
  // Before listening, so nobody can reach a server that has no one able to administer it.
  const accounts = accountsContext(store, Date.now, config.publicUrl);
  let firstAdminNotice: string | null = null;
  await ensureFirstAdmin(accounts, { ...config.firstAdmin, name: config.firstAdminName, url: config.publicUrl, log: (message) => (firstAdminNotice = message) });
  const bus = new EventBus();
  const inbox = createInboxContext({
    store,
    bus,
    reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply,
    sideEffects: config.email ? emailSideEffects(config.email) : [],
  });
  // Channels register their job handlers here as they arrive (outbound mail, webhooks).
  const handlers: Record<string, JobHandler> = {};
  const worker = createOutboxWorker({ store, handlers });
  // Commands publish after commit, so their jobs are in the table when the worker wakes.
  bus.subscribe(() => worker.wake());
  worker.start();
  const storage = new LocalAttachmentStorage(path.join(config.dataDir, 'attachments'));
  const cleaner = startAttachmentCleaner({ store, storage, onError: (message, error) => console.error(`${message}: ${String(error)}`) });
  // Mail received but not yet processed when the server last stopped is processed first.
  const email = config.email ? await startEmailChannel({ store, inbox, dataDir: config.dataDir, config: config.email, attachments: storage }) : null;
  Object.assign(handlers, email?.handlers);
  if (email?.smtpPort != null) console.log(`Onethread receives mail on SMTP port ${email.smtpPort} for ${email.support.addresses.join(', ')}`);
  const server = buildServer({ store, logger: true, logLevel: config.logLevel });
  await registerApi(server, { inbox, accounts, secureCookies: config.publicUrl.startsWith('https:'), attachments: { storage, limits: config.attachments }, contact: config.contact, signup: config.signup, chat: config.chat });
  if (config.chat.origins.allowed === 'any') console.log('Note: the chat widget accepts every website (WIDGET_ALLOWED_ORIGINS is not set): list your sites before going live.');
  if (!config.email?.smtpUrl) {
    console.log('Note: Onethread sends no mail (set SUPPORT_ADDRESSES and SMTP_URL): replies to email stay in the inbox, and customers cannot finish signing up in the portal, confirm their address or reset a password (the contact form and the widget still work).');
  }
  await registerWebApp(server);
  const url = await server.listen({ port: config.port, host: '0.0.0.0' });
  return {
    store,
    inbox,
    url,
    firstAdminNotice,
    async stop() {
      // Stop taking requests and let in-flight ones finish before the database goes.
      await server.close();
      await email?.stop();
      await cleaner.stop();
      await worker.stop();
      await store.close();
    },
  };
}
