import type { AccountsContext } from '../accounts/index.js';
import { createChatContext, DEFAULT_CHAT_SETTINGS, type ChatSettings } from '../channels/chat/index.js';
import type { InboxContext } from '../inbox/context.js';
import { CredentialWatch, type CredentialWatchOptions } from '../realtime/credentials.js';
import { RealtimeHub, type HubOptions } from '../realtime/hub.js';
import { PresenceRelay } from '../realtime/presence.js';
import { realtimeRoutes, registerWebSocketTransport } from './realtime-socket.js';
import { authentication } from './auth.js';
import { helpCenterRoutes } from './help-center.js';
import type { UploadOptions } from './multipart.js';
import { attachmentRoutes } from './routes/attachments.js';
import { authRoutes, type AuthRouteOptions } from './routes/auth.js';
import { conversationRoutes } from './routes/conversations.js';
import { contactRoutes, type ContactLimits } from './routes/contact.js';
import { emailRoutes } from './routes/email.js';
import { inboxRoutes } from './routes/inbox.js';
import { kbRoutes } from './routes/kb.js';
import { userRoutes } from './routes/users.js';
import { widgetRoutes } from './routes/widget.js';
import type { ZodApp } from './routing.js';

export type ApiOptions = {
  inbox: InboxContext;
  accounts: AccountsContext;
  secureCookies: boolean;
  loginLimits?: AuthRouteOptions['limits'];
  /** Tuning for the live stream: the hub's poll, heartbeat and backlog limit, and how often open sockets' credentials are re-checked. */
  realtime?: HubOptions & CredentialWatchOptions;
  /** Where uploads go and their limits; without it the API takes no files and serves none. */
  attachments?: UploadOptions;
  /** The chat widget and its bot; defaults: any origin, the knowledge-base bot, no signed identity. */
  chat?: ChatSettings;
  /** The built widget served at /widget.js; default dist/widget/widget.js. */
  widgetBundle?: string;
  /** The public contact form's limits per client address and per email address. */
  contact?: ContactLimits;
  /** Portal sign-ups allowed per client address and per email address in an hour. */
  signup?: AuthRouteOptions['signup'];
};

/** Mounts the REST API on a server from buildServer: who is asking first, then the routes. The app and the tests wire it the same way. */
export async function registerApi(app: ZodApp, options: ApiOptions): Promise<void> {
  const log = (message: string, error?: unknown) => app.log.warn({ err: error }, message);
  // One hub per server, living as long as it: it tails the event table of this inbox's store.
  const hub = new RealtimeHub(options.inbox.store, options.inbox.bus, { log, ...options.realtime });
  const watch = new CredentialWatch(options.accounts, { log, ...options.realtime });
  const presence = new PresenceRelay();
  // Sign-outs, revocations and deactivations made through this server close its sockets at
  // once; changes made elsewhere (another instance, the command line) wait for the watch's round.
  const previous = options.accounts.onCredentialsChanged;
  const accounts: AccountsContext = {
    ...options.accounts,
    onCredentialsChanged: () => {
      previous?.();
      watch.recheck();
    },
  };

  await registerWebSocketTransport(app);
  await app.register(authentication, { accounts, secureCookies: options.secureCookies });
  await app.register(authRoutes, { accounts, secureCookies: options.secureCookies, limits: options.loginLimits, signup: options.signup });
  await app.register(conversationRoutes, { inbox: options.inbox, attachments: options.attachments });
  await app.register(contactRoutes, { inbox: options.inbox, accounts, limits: options.contact });
  await app.register(inboxRoutes, { inbox: options.inbox });
  if (options.attachments) await app.register(attachmentRoutes, { inbox: options.inbox, storage: options.attachments.storage });
  await app.register(userRoutes, { accounts });
  // The knowledge base shares the inbox's store and clock; the help center is its public face.
  const kb = { store: options.inbox.store, clock: options.inbox.clock };
  await app.register(kbRoutes, { kb });
  await app.register(helpCenterRoutes, { kb });
  const chatSettings = options.chat ?? DEFAULT_CHAT_SETTINGS;
  const chat = createChatContext(options.inbox, kb, chatSettings, log);
  await app.register(widgetRoutes, { chat, settings: chatSettings, hub, presence, attachments: options.attachments, bundle: options.widgetBundle });
  await app.register(emailRoutes, { inbox: options.inbox });
  app.addHook('onReady', async () => {
    await hub.start();
    watch.start();
  });
  app.addHook('onClose', async () => {
    await watch.stop();
    await hub.stop();
  });
  await app.register(realtimeRoutes, { hub, watch, presence, accounts });
}
