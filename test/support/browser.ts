import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type AccountsContext, accountsContext, createApiToken, createUser, getUserByEmail } from '../../src/accounts/index.js';
import { loadConfig } from '../../src/config.js';
import { EventBus } from '../../src/inbox/bus.js';
import { createInboxContext, type InboxContext } from '../../src/inbox/context.js';
import { openStore, type Store } from '../../src/store/database.js';
import type { Role } from '../../src/store/schema.js';
import { ROOT } from './run.js';
import { makeDatabaseEnv } from './store.js';

// Browser tests drive the real app in real Chromium: the server is started as `onethread
// serve` would be (its own process, its own database), the page is the built bundle in
// dist/web (global-setup.ts builds it first), and nothing is mocked.

/** The Chromium to drive, or null: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

export const hasChromium = chromiumPath() !== null;

export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH');
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type Person = { id: number; name: string; email: string; role: Role; password: string; token: string };

export type WebApp = {
  url: string;
  admin: Person;
  /** The same database as the server, opened by the test: commands and accounts run here. */
  store: Store;
  accounts: AccountsContext;
  /** Commands from here reach the server's live stream within its poll (about a second). */
  inbox: InboxContext;
  /** The server's console output so far, for failure messages. */
  output(): string;
  person(role: Role, name?: string): Promise<Person>;
  /** A request to the API as someone, with their bearer token; throws unless 2xx. */
  api<T = Record<string, any>>(who: Person, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
};

let sequence = 0;

/** Starts `onethread serve` on a fresh database and a free port. */
/** `env`: extra settings for the server (WIDGET_ALLOWED_ORIGINS, …). */
export async function startWebApp(env: Record<string, string> = {}): Promise<WebApp> {
  const database = await makeDatabaseEnv();
  const port = await freePort();
  const adminPassword = 'correct horse battery';
  const serverEnv = {
    ...env,
    PATH: process.env.PATH ?? '',
    ...database.env,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ONETHREAD_ADMIN_EMAIL: 'ana.admin@example.test',
    ONETHREAD_ADMIN_PASSWORD: adminPassword,
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: serverEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('Onethread is running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  const store = openStore(loadConfig({ ...database.env, PORT: '0' }, '/nonexistent'));
  const accounts = accountsContext(store);
  const inbox = createInboxContext({ store, bus: new EventBus() });
  const url = `http://127.0.0.1:${port}`;

  async function api<T>(who: Person, method: string, pathname: string, body?: unknown): Promise<T> {
    const response = await fetch(url + pathname, {
      method,
      headers: { authorization: `Bearer ${who.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function withToken(user: { id: number; name: string; email: string; role: Role }, password: string): Promise<Person> {
    const { token } = await createApiToken(accounts, user.id, 'browser test');
    return { id: user.id, name: user.name, email: user.email, role: user.role, password, token };
  }

  const adminUser = await getUserByEmail(accounts, serverEnv.ONETHREAD_ADMIN_EMAIL);
  if (!adminUser) throw new Error('the first admin was not created');
  const admin = await withToken(adminUser, adminPassword);

  return {
    url,
    admin,
    store,
    accounts,
    inbox,
    output: () => output,
    async person(role, name) {
      const n = ++sequence;
      const password = 'correct horse battery';
      const user = await createUser(accounts, { name: name ?? `${role} ${n}`, email: `${role}${n}-${process.pid}@example.test`, role, password });
      return withToken(user, password);
    },
    api,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await store.close();
      await database.cleanup();
    },
  };
}

/** Signs in through the form, as a person would, and waits for the inbox. */
export async function signIn(page: Page, app: WebApp, who: Pick<Person, 'email' | 'password'>, path = '/'): Promise<void> {
  await page.goto(app.url + path);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.shell').waitFor();
}

/** axe-core's violations of the given impact on the page as it is now. */
/** A page signed in as `who` at `path`, in a browser context of its own, added to `contexts` for the suite to close. */
export async function openAs(browser: Browser, app: WebApp, who: Pick<Person, 'email' | 'password'>, path: string, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, app, who, path);
  return page;
}

export async function axeViolations(page: Page, impacts: string[] = ['critical']): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const source = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // The app's CSP allows no inline script, and axe is added as one: evaluate it instead.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}
