import type { AccountsContext } from '../accounts/index.js';
import type { InboxContext } from '../inbox/context.js';
import { authentication } from './auth.js';
import { authRoutes, type AuthRouteOptions } from './routes/auth.js';
import { conversationRoutes } from './routes/conversations.js';
import { userRoutes } from './routes/users.js';
import type { ZodApp } from './routing.js';

export type ApiOptions = { inbox: InboxContext; accounts: AccountsContext; secureCookies: boolean; loginLimits?: AuthRouteOptions['limits'] };

/** Mounts the REST API on a server from buildServer: who is asking first, then the routes. The app and the tests wire it the same way. */
export async function registerApi(app: ZodApp, options: ApiOptions): Promise<void> {
  await app.register(authentication, { accounts: options.accounts, secureCookies: options.secureCookies });
  await app.register(authRoutes, { accounts: options.accounts, secureCookies: options.secureCookies, limits: options.loginLimits });
  await app.register(conversationRoutes, { inbox: options.inbox });
  await app.register(userRoutes, { accounts: options.accounts });
}
