import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { type AccountsContext, accountsContext, createApiToken, createUser } from '../../src/accounts/index.js';
import { DEFAULT_CHAT_SETTINGS } from '../../src/channels/chat/index.js';
import { type AppConfig, type ComposeOverrides, type Composition, composeApp } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { ZodApp } from '../../src/http/server.js';
import type { InboxContext } from '../../src/inbox/context.js';
import type { Store } from '../../src/store/database.js';
import type { Role } from '../../src/store/schema.js';
import { makeTestStore } from './store.js';

// The app as src/compose.ts builds it, for the HTTP suites: a real server on a free port of
// 127.0.0.1 over a test database, silent, with no web app, no worker running (tests that
// send call `worker.runOnce()`) and uploads only when asked for.

export type TestApp = {
  /** The server: `inject`, or fetch `http`. */
  app: ZodApp;
  composition: Composition;
  store: Store;
  inbox: InboxContext;
  /**
   * Accounts without the server's listener: changes made through them reach live sockets
   * only at the credential watch's next round, as changes from the command line do.
   */
  accounts: AccountsContext;
  http: string;
  ws: string;
  dataDir: string;
  /** Stops the app; removes its DATA_DIR, and the database if the helper made it. */
  close(): Promise<void>;
};

export type TestAppOptions = ComposeOverrides & {
  /** Changes to the test configuration (PUBLIC_URL http://localhost:3000, the default chat settings, no email). */
  config?: Partial<AppConfig>;
  /** Keep uploads in DATA_DIR/attachments (default: the API takes no files). */
  uploads?: boolean;
};

/** A full configuration as loadConfig() reads it from an empty environment, then `changes`. */
export function testConfig(dataDir: string, changes: Partial<AppConfig> = {}): AppConfig {
  const base = loadConfig({ DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: 'http://localhost:3000' }, '');
  return { ...base, chat: DEFAULT_CHAT_SETTINGS, ...changes };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { config, uploads, ...overrides } = options;
  const store = options.store ?? (await makeTestStore());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-app-'));
  const composition = await composeApp(testConfig(dataDir, config), {
    logger: false,
    host: '127.0.0.1',
    secureCookies: false,
    webApp: false,
    worker: { run: false },
    attachmentsDir: uploads ? path.join(dataDir, 'attachments') : null,
    ...overrides,
    store,
  });
  const http = await composition.start();
  return {
    app: composition.server,
    composition,
    store,
    inbox: composition.inbox,
    accounts: accountsContext(store, options.accountsClock, composition.accounts.publicUrl),
    http,
    ws: `${http.replace(/^http/, 'ws')}/api/realtime`,
    dataDir,
    async close() {
      await composition.stop();
      if (!options.store) await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const PASSWORD = 'correct horse 1';

export type Person = { id: number; name: string; email: string; token: string; tokenId: number };

let n = 0;
/**
 * A new account of `role` with an API token, named `name` (or as given), with password
 * PASSWORD unless told otherwise (null: hashing one takes a while, and only signing in with
 * the form needs it).
 */
export async function person(
  on: { accounts: AccountsContext },
  role: Role,
  as: string | { name?: string; password?: string | null } = {},
): Promise<Person & { role: Role }> {
  const { name, password = PASSWORD } = typeof as === 'string' ? { name: as } : as;
  const email = `${role}${++n}-${process.pid}@example.test`;
  const user = await createUser(on.accounts, { name: name ?? `${role} ${n}`, email, role, password });
  const token = await createApiToken(on.accounts, user.id, 'test');
  return { id: user.id, name: user.name, email, role, token: token.token, tokenId: token.id };
}

export type Json = Record<string, any>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One API request as `who` (their bearer token; null: nobody signed in), through the server's inject. */
export async function call(
  on: TestApp,
  who: { token: string } | null,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: Json | null }> {
  const response = await on.app.inject({ method, url, payload: payload as never, headers: who ? { authorization: `Bearer ${who.token}` } : {} });
  return { status: response.statusCode, body: response.body ? (response.json() as Json) : null };
}

/** The same, expecting success; a failure names the request and what it answered. */
export async function ok(on: TestApp, who: { token: string }, method: Method, url: string, payload?: unknown): Promise<Json> {
  const response = await call(on, who, method, url, payload);
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body!;
}
