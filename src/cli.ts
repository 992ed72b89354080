#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type AccountsContext, createApiToken, createUser, getUserByEmail } from './accounts/index.js';
import { composeImport } from './compose-import.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { demoStoreOptions } from './demo/connection.js';
import { DomainError } from './errors.js';
import { IMPORT_USAGE, ImportUsageError, importCommand } from './import/command.js';
import { rebuildReports } from './inbox/reports/rebuild.js';
import { progressBar } from './progress-bar.js';
import { openStore } from './store/database.js';
import { isDatabaseUnavailable } from './store/faults.js';
import { migrateToLatest } from './store/migrate.js';
import type { Role } from './store/schema.js';
import { copyCommand, exportCommand, restoreCommand, TRANSFER_USAGE } from './transfer/command.js';

// The server, the full composition and the demo are loaded by the commands that use them
// (`await import`): an import should not carry the whole app in memory (compose-import.ts).

const USAGE = `usage: onethread [command]

  serve         start Onethread (the default)
  migrate       apply database migrations and exit
  user create   --role admin|agent|customer --email … --name … [--password …]
                create an account and print its id
  token create  --email … [--name …]
                create an API token for that account and print it (shown only once)
  demo          [--password …] [--force]
                fill an empty inbox with a demo team and 200 conversations to explore
  reports rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--include-imported]
                recompute the reports' facts from the conversations' history (UTC days;
                the way to give existing or imported conversations their facts)
  ${IMPORT_USAGE}
  ${TRANSFER_USAGE}

Configuration comes from the environment and ./.env: DATA_DIR, DATABASE_URL, PORT, PUBLIC_URL, LOG_LEVEL
(see the README for the rest).`;

/** A mistake in how the command was called: one line on stderr, like a domain error. */
class UsageError extends Error {}

/**
 * The last line of "a database fault never kills the process": every connection has an
 * error listener and every loop catches its failures, but should some library still
 * report a lost connection as an unheard 'error' event or a rejection nobody handles, the
 * server logs it and carries on (the pool replaces the connection). Anything else keeps
 * Node's own behaviour: the state is unknown, so log it and exit.
 */
function surviveDatabaseFaults(): void {
  const fault = (kind: string) => (error: unknown) => {
    if (isDatabaseUnavailable(error)) {
      console.error(`onethread: database connection lost (${kind}); carrying on:`, error instanceof Error ? error.message : error);
      return;
    }
    console.error(`onethread: ${kind}:`, error);
    process.exit(1);
  };
  process.on('uncaughtException', fault('uncaught exception'));
  process.on('unhandledRejection', fault('unhandled rejection'));
}

async function serve(config: Config): Promise<void> {
  surviveDatabaseFaults();
  const { startApp } = await import('./app.js');
  const app = await startApp(config);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Only after the handlers: whoever waits for this line may send SIGTERM at once. The
  // first admin's password comes last, in the same write, so it is what stays on screen.
  const running = `Onethread is running at ${config.publicUrl} (port ${new URL(app.url).port}, data: ${app.store.location})`;
  console.log(app.firstAdminNotice ? `${running}\n${app.firstAdminNotice}` : running);
}

async function migrate(config: Config): Promise<void> {
  const store = openStore(config);
  try {
    const applied = await migrateToLatest(store);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await store.close();
  }
}

/**
 * Runs an account command against the server's own database, with the accounts the
 * server composes (src/compose.ts), without serving. Migrating first makes it work on a
 * fresh one; against a running server the migrator's lock and SQLite's busy timeout make
 * that safe.
 */
async function withAccounts<T>(config: Config, work: (ctx: AccountsContext) => Promise<T>): Promise<T> {
  const { composeApp } = await import('./compose.js');
  const app = await composeApp(config, { webApp: false });
  try {
    return await work(app.accounts);
  } finally {
    await app.stop();
  }
}

function options<const T extends Record<string, { type: 'string' }>>(args: string[], spec: T, required: (keyof T & string)[]) {
  const { values } = parseArgs({ args, options: spec, strict: true, allowPositionals: false });
  const given = values as { [K in keyof T]?: string };
  for (const name of required) if (!given[name]) throw new UsageError(`--${name} is required`);
  return given;
}

function subcommand(args: string[], group: string): string[] {
  const [name, ...rest] = args;
  if (name !== 'create') throw new UsageError(`unknown command "${[group, name].filter(Boolean).join(' ')}"; try "onethread ${group} create"`);
  return rest;
}

async function user(config: Config, args: string[]): Promise<void> {
  const spec = { role: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } as const;
  const values = options(subcommand(args, 'user'), spec, ['role', 'email', 'name']);
  const created = await withAccounts(config, (ctx) =>
    createUser(ctx, { role: values.role as Role, email: values.email!, name: values.name!, password: values.password ?? null }),
  );
  // Only the id, so scripts can capture it.
  console.log(created.id);
}

async function token(config: Config, args: string[]): Promise<void> {
  const spec = { email: { type: 'string' }, name: { type: 'string' } } as const;
  const values = options(subcommand(args, 'token'), spec, ['email']);
  const created = await withAccounts(config, async (ctx) => {
    const owner = await getUserByEmail(ctx, values.email!);
    if (!owner) throw new DomainError('not_found', `no account for ${values.email!.trim().toLowerCase()}`);
    return createApiToken(ctx, owner.id, values.name ?? 'command line');
  });
  // Only the token on stdout, so `TOKEN=$(onethread token create …)` works.
  console.log(created.token);
}

async function demo(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { password: { type: 'string' }, force: { type: 'boolean' } }, strict: true, allowPositionals: false });
  const store = openStore(demoStoreOptions(config));
  try {
    await migrateToLatest(store);
    const { seedDemo } = await import('./demo/seed-demo.js');
    const { formatDemoSummary } = await import('./demo/summary.js');
    const result = await seedDemo({
      store,
      password: values.password,
      force: values.force ?? false,
      reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply,
      firstAdmin: config.firstAdmin,
      firstAdminName: config.firstAdminName,
      publicUrl: config.publicUrl,
      log: (message) => console.log(message),
    });
    console.log(formatDemoSummary(result, config.publicUrl));
  } finally {
    await store.close();
  }
}

/** A UTC day as the epoch ms of its start; `end` gives the next day's start (the range's end is inclusive). */
function dayArg(name: string, value: string | undefined, end = false): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const start = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  // 2026-13-01 or 2026-02-30 would roll over into another day: not a day at all.
  if (!start || start.toISOString().slice(0, 10) !== value) throw new UsageError(`--${name} must be a day like 2026-03-01`);
  return start.getTime() + (end ? 24 * 60 * 60 * 1000 : 0);
}

async function reports(config: Config, args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name !== 'rebuild') throw new UsageError(`unknown command "${['reports', name].filter(Boolean).join(' ')}"; try "onethread reports rebuild"`);
  const { values } = parseArgs({
    args: rest,
    options: { from: { type: 'string' }, to: { type: 'string' }, 'include-imported': { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const store = openStore(config);
  const bar = progressBar('rebuilding reports');
  try {
    await migrateToLatest(store);
    const done = await rebuildReports(store, {
      from: dayArg('from', values.from),
      to: dayArg('to', values.to, true),
      includeImported: values['include-imported'] ?? false,
      onProgress: (p) => bar.update(p.done, p.total, `${p.facts} facts`),
    });
    bar.stop();
    console.log(`rebuilt ${done.done} conversations: ${done.facts} facts`);
  } finally {
    bar.stop();
    await store.close();
  }
}

/** An import runs with the app's store, commands and accounts (compose-import.ts), without serving. */
async function importData(config: Config, args: string[]): Promise<void> {
  // A restore of an Onethread export needs the database untouched by the composition.
  if (args[0] === 'onethread') return restoreCommand(config, args.slice(1));
  const app = await composeImport(config);
  try {
    await importCommand(app, args);
  } catch (error) {
    throw error instanceof ImportUsageError ? new UsageError(error.message) : error;
  } finally {
    await app.stop();
  }
}

const isParseArgsError = (error: unknown) => error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');

async function main(args: string[]): Promise<void> {
  const [command = 'serve', ...rest] = args;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  const commands: Record<string, (config: Config, args: string[]) => Promise<void>> = {
    serve,
    migrate,
    user,
    token,
    demo,
    reports,
    import: importData,
    export: exportCommand,
    copy: copyCommand,
  };
  const run = commands[command];
  if (!run) {
    console.error(`onethread: unknown command "${command}"\n\n${USAGE}`);
    process.exit(2);
  }
  await run(loadConfig(), rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Bad configuration or input is a one-line message naming the problem, not a stack trace.
  if (error instanceof ConfigError) console.error(`onethread: configuration error: ${error.message}`);
  else if (error instanceof DomainError || error instanceof UsageError || isParseArgsError(error)) {
    console.error(`onethread: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  } else console.error('onethread:', error);
  process.exit(1);
});
