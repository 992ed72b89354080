import path from 'node:path';
import { type AccountsContext, accountsContext } from './accounts/index.js';
import { LocalAttachmentStorage } from './attachments/index.js';
import type { Config } from './config.js';
import type { UploadOptions } from './http/multipart.js';
import { EventBus } from './inbox/bus.js';
import { createInboxContext, type InboxContext } from './inbox/context.js';
import { openStore, type Store } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

// What `onethread import` needs of the app, and nothing more: the store, the inbox's
// commands, the accounts and the attachment store — not the server, its routes, the hub,
// the worker or the channels. Issue 20's memory target: the full composition is half of
// an import's heap, and V8 lets the heap grow to a multiple of what stays live.
//
// Its inbox has no side-effect planners. Imported history plans nothing anyway (every
// planner skips origin `import`, which the tests check through the full composition); here
// nothing can be queued even by mistake, and no worker runs to send it.

export type ImportComposition = {
  store: Store;
  inbox: InboxContext;
  accounts: AccountsContext;
  uploads: UploadOptions | undefined;
  stop(): Promise<void>;
};

export async function composeImport(config: Config): Promise<ImportComposition> {
  const store = openStore(config, { backgroundCheckpoints: true, largeTransactions: true, onError: (message) => console.error(message) });
  try {
    await migrateToLatest(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  const inbox = createInboxContext({ store, bus: new EventBus(), reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply });
  return {
    store,
    inbox,
    accounts: accountsContext(store, Date.now, config.publicUrl),
    uploads: { storage: new LocalAttachmentStorage(path.join(config.dataDir, 'attachments')), limits: config.attachments },
    stop: () => store.close(),
  };
}
