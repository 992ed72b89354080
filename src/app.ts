import type { Config } from './config.js';
import { createInboxContext, type InboxContext } from './inbox/context.js';
import { buildServer } from './http/server.js';
import { EventBus } from './realtime/bus.js';
import { openStore, type Store } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

export type App = { store: Store; inbox: InboxContext; url: string; stop(): Promise<void> };

/** Opens the store, applies migrations, then starts serving. */
export async function startApp(config: Config): Promise<App> {
  const store = openStore(config);
  await migrateToLatest(store);
  const bus = new EventBus();
  const inbox = createInboxContext({ store, bus, reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply });
  const server = buildServer({ store, logger: true });
  const url = await server.listen({ port: config.port, host: '0.0.0.0' });
  return {
    store,
    inbox,
    url,
    async stop() {
      // Stop taking requests and let in-flight ones finish before the database goes.
      await server.close();
      await store.close();
    },
  };
}
