#!/usr/bin/env node
import { startApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openStore } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

const USAGE = `usage: onethread [command]

  serve     start Onethread (the default)
  migrate   apply database migrations and exit

Configuration comes from the environment and ./.env: DATA_DIR, DATABASE_URL, PORT, PUBLIC_URL.`;

async function serve(config: Config): Promise<void> {
  const app = await startApp(config);
  console.log(`Onethread is running at ${config.publicUrl} (data: ${app.store.location})`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
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

async function main(args: string[]): Promise<void> {
  const [command = 'serve'] = args;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  const run = { serve, migrate }[command];
  if (!run) {
    console.error(`onethread: unknown command "${command}"\n\n${USAGE}`);
    process.exit(2);
  }
  await run(loadConfig());
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Bad configuration is a one-line message naming the variable, not a stack trace.
  if (error instanceof ConfigError) console.error(`onethread: configuration error: ${error.message}`);
  else console.error('onethread:', error);
  process.exit(1);
});
