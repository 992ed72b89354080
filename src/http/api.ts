import type { AccountsContext } from '../accounts/index.js';
import type { InboxContext } from '../inbox/context.js';
import { RealtimeHub, type HubOptions } from '../realtime/hub.js';
import { realtimeRoutes, registerWebSocketTransport } from '../realtime/websocket.js';
import { authentication } from './auth.js';
import { authRoutes, type AuthRouteOptions } from './routes/auth.js';
import { conversationRoutes } from './routes/conversations.js';
import { userRoutes } from './routes/users.js';
import type { ZodApp } from './routing.js';

export type ApiOptions = {
  inbox: InboxContext;
  accounts: AccountsContext;
  secureCookies: boolean;
  loginLimits?: AuthRouteOptions['limits'];
  /** Tuning for the live stream's hub (poll, heartbeat, backlog limit). */
  realtime?: HubOptions;
};

/** Mounts the REST API on a server from buildServer: who is asking first, then the routes. The app and the tests wire it the same way. */
export async function registerApi(app: ZodApp, options: ApiOptions): Promise<void> {
  await registerWebSocketTransport(app);
  await app.register(authentication, { accounts: options.accounts, secureCookies: options.secureCookies });
  await app.register(authRoutes, { accounts: options.accounts, secureCookies: options.secureCookies, limits: options.loginLimits });
  await app.register(conversationRoutes, { inbox: options.inbox });
  await app.register(userRoutes, { accounts: options.accounts });
  // One hub per server, living as long as it: it tails the event table of this inbox's store.
  const hub = new RealtimeHub(options.inbox.store, options.inbox.bus, {
    log: (message, error) => app.log.warn({ err: error }, message),
    ...options.realtime,
  });
  app.addHook('onReady', () => hub.start());
  app.addHook('onClose', () => hub.stop());
  await app.register(realtimeRoutes, { hub, accounts: options.accounts });
}
