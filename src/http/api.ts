import type { AccountsContext, SeenTracker } from '../accounts/index.js';
import type { SupportAddresses } from '../channels/email/reply-address.js';
import type { InboxContext } from '../inbox/context.js';
import type { KbContext } from '../kb/records.js';
import type { RouteMount } from '../modules.js';
import type { CredentialWatch } from '../realtime/credentials.js';
import type { RealtimeHub } from '../realtime/hub.js';
import type { PresenceRelay } from '../realtime/presence.js';
import { authentication } from './auth.js';
import { helpCenterRoutes } from './help-center.js';
import type { UploadOptions } from './multipart.js';
import { realtimeRoutes, registerWebSocketTransport } from './realtime-socket.js';
import { attachmentRoutes } from './routes/attachments.js';
import { type AuthRouteOptions, authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendar.js';
import { cannedReplyRoutes } from './routes/canned-replies.js';
import { type ContactLimits, contactRoutes } from './routes/contact.js';
import { conversationRoutes } from './routes/conversations.js';
import { customerRoutes } from './routes/customers.js';
import { followerRoutes } from './routes/followers.js';
import { inboxRoutes } from './routes/inbox.js';
import { kbRoutes } from './routes/kb.js';
import { macroRoutes } from './routes/macros.js';
import { notificationPreferenceRoutes } from './routes/notification-preferences.js';
import { notificationRoutes } from './routes/notifications.js';
import { teamRoutes } from './routes/teams.js';
import { userRoutes } from './routes/users.js';
import { viewRoutes } from './routes/views.js';
import type { ZodApp } from './routing.js';

/** The shared parts the core routes serve, all built by the composition root (src/compose.ts). */
export type CoreRouteParts = {
  inbox: InboxContext;
  /** The server's accounts: credential changes made through it close live sockets at once. */
  accounts: AccountsContext;
  kb: KbContext;
  secureCookies: boolean;
  loginLimits?: AuthRouteOptions['limits'];
  /** Where uploads go and their limits; without it the API takes no files and serves none. */
  attachments?: UploadOptions;
  /** The public contact form's limits per client address and per email address. */
  contact?: ContactLimits;
  /** Portal sign-ups allowed per client address and per email address in an hour. */
  signup?: AuthRouteOptions['signup'];
  /** The email channel's own addresses (refused as recipients); null without the channel. */
  support: SupportAddresses | null;
};

/** The team's and customers' REST routes, in registration order. */
export function coreRoutes(parts: CoreRouteParts): RouteMount[] {
  const { inbox, accounts, kb, attachments } = parts;
  return [
    (app) => app.register(authRoutes, { accounts, secureCookies: parts.secureCookies, limits: parts.loginLimits, signup: parts.signup }),
    (app) => app.register(conversationRoutes, { inbox, attachments, support: parts.support }),
    (app) => app.register(followerRoutes, { inbox }),
    (app) => app.register(contactRoutes, { inbox, accounts, limits: parts.contact }),
    (app) => app.register(inboxRoutes, { inbox }),
    (app) => app.register(teamRoutes, { inbox }),
    (app) => app.register(viewRoutes, { inbox }),
    (app) => app.register(cannedReplyRoutes, { inbox, attachments }),
    (app) => app.register(macroRoutes, { inbox }),
    (app) => app.register(notificationRoutes, { inbox }),
    (app) => app.register(notificationPreferenceRoutes, { inbox }),
    async (app) => {
      if (attachments) await app.register(attachmentRoutes, { inbox, storage: attachments.storage });
    },
    (app) => app.register(userRoutes, { accounts }),
    (app) => app.register(customerRoutes, { inbox, accounts }),
    (app) => app.register(calendarRoutes, { store: inbox.store, clock: inbox.clock }),
    // The help center is the knowledge base's public face.
    (app) => app.register(kbRoutes, { kb }),
    (app) => app.register(helpCenterRoutes, { kb }),
  ];
}

/** The live stream, with its hub and credential watch running as long as the server. */
export function realtimeMount(parts: {
  hub: RealtimeHub;
  watch: CredentialWatch;
  presence: PresenceRelay;
  accounts: AccountsContext;
  seen: SeenTracker;
}): RouteMount {
  return async (app) => {
    app.addHook('onReady', async () => {
      await parts.hub.start();
      parts.watch.start();
      parts.seen.start();
    });
    app.addHook('onClose', async () => {
      parts.seen.stop();
      await parts.watch.stop();
      await parts.hub.stop();
    });
    await app.register(realtimeRoutes, parts);
  };
}

export type ApiOptions = {
  accounts: AccountsContext;
  secureCookies: boolean;
  /** Every route module, in order (src/compose.ts lists them). */
  routes: RouteMount[];
};

/** Mounts the API on a server from buildServer: the WebSocket transport and who is asking first, then the routes it is given. */
export async function registerApi(app: ZodApp, options: ApiOptions): Promise<void> {
  await registerWebSocketTransport(app);
  await app.register(authentication, { accounts: options.accounts, secureCookies: options.secureCookies });
  for (const mount of options.routes) await mount(app);
}
