import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalAttachmentStorage } from '../attachments/index.js';
import type { Config } from '../config.js';
import { DomainError } from '../errors.js';
import { progressBar } from '../progress-bar.js';
import { openPostgres, openStore, type Store } from '../store/database.js';
import { isDatabaseUnavailable } from '../store/faults.js';
import { migrateToLatest } from '../store/migrate.js';
import { copyInstallation } from './copy.js';
import { exportInstallation, type InstallationFiles } from './export.js';
import { restoreInstallation } from './restore.js';

// The command line of issue 20's moves (docs/transfer.md): `export FILE.zip`,
// `import onethread FILE.zip`, `copy --to postgres://…`. Each works on the configured
// database and DATA_DIR, without composing the app (a restore must find the database
// empty: nothing may create the first admin first).

export const TRANSFER_USAGE = `export FILE.zip
                write everything the team owns (conversations, customers, team, knowledge base,
                settings, attachments, received mail) to one file; see docs/transfer.md
  import onethread FILE.zip
                restore such a file into an empty database (SQLite or PostgreSQL), exactly
  copy --to postgres://…
                copy this (stopped) SQLite installation into an empty PostgreSQL database`;

const usage = (message: string) => new DomainError('validation_failed', message);

/** Where the app keeps attachment blobs and raw received mail, as compose.ts and the email channel set them up. */
const installed = (config: Config): InstallationFiles => ({
  attachments: new LocalAttachmentStorage(path.join(config.dataDir, 'attachments')),
  mailRoot: path.join(config.dataDir, 'mail'),
});

function onePath(args: string[], how: string): string {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw usage(`give one file: ${how}`);
  return positionals[0]!;
}

async function withStore<T>(store: Store, work: (store: Store) => Promise<T>): Promise<T> {
  try {
    await migrateToLatest(store);
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function exportCommand(config: Config, args: string[]): Promise<void> {
  const file = onePath(args, 'onethread export FILE.zip');
  if (existsSync(file)) throw usage(`${file} already exists; give a new file name`);
  if (!existsSync(path.dirname(path.resolve(file)))) throw usage(`there is no folder ${path.dirname(path.resolve(file))} for ${file}`);
  const bar = progressBar('exporting');
  const result = await withStore(openStore(config), (store) =>
    exportInstallation(store, installed(config), file, (p) => bar.update(p.done, p.total, p.table)),
  ).finally(() => bar.stop());
  const rows = result.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(`exported ${result.tables.length} tables (${rows} rows), ${result.files} files and ${result.mail} received mails to ${file}`);
  if (result.missingFiles.length > 0) {
    console.log(
      `note: ${result.missingFiles.length} attachment file(s) the rows refer to were not in ${path.join(config.dataDir, 'attachments')}: ${result.missingFiles.slice(0, 5).join(', ')}`,
    );
  }
  if (result.missingMail.length > 0) {
    console.log(
      `note: the raw file of ${result.missingMail.length} received mail(s) was not in ${path.join(config.dataDir, 'mail')}: ${result.missingMail.slice(0, 5).join(', ')}`,
    );
  }
}

export async function restoreCommand(config: Config, args: string[]): Promise<void> {
  const file = onePath(args, 'onethread import onethread FILE.zip');
  if (!existsSync(file)) throw usage(`${file} does not exist`);
  const bar = progressBar('restoring');
  const result = await withStore(openStore(config), (store) =>
    restoreInstallation(store, installed(config), file, (p) => bar.update(p.done, p.total, p.table)),
  ).finally(() => bar.stop());
  console.log(`restored ${result.tables} tables (${result.rows} rows), ${result.files} files and ${result.mail} received mails from ${file}`);
}

export async function copyCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } }, strict: true, allowPositionals: false });
  const url = values.to;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw usage('give the target: onethread copy --to postgres://user:password@host/database');
  if (config.databaseUrl) throw usage('DATABASE_URL is set: this installation already runs on PostgreSQL; copy moves a SQLite one (unset DATABASE_URL)');
  const file = path.join(config.dataDir, 'onethread.db');
  if (!existsSync(file)) throw usage(`there is no SQLite database at ${file} (DATA_DIR)`);
  const source = openStore({ databaseUrl: null, dataDir: config.dataDir });
  const target = openPostgres(url);
  const bar = progressBar('copying');
  try {
    const result = await withStore(target, async () => {
      await migrateToLatest(source);
      return copyInstallation(source, target, (p) => bar.update(p.done, p.total, `${p.phase} ${p.table}`));
    }).catch((error: unknown) => {
      throw isDatabaseUnavailable(error) ? new DomainError('conflict', `cannot reach ${target.location}: ${(error as Error).message}`) : error;
    });
    bar.stop();
    console.log(`copied ${result.rows} rows in ${result.tables.length} tables from ${file}; row counts and checksums match on both sides`);
    console.log(
      `next: set DATABASE_URL=${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:…@')} (keep DATA_DIR: attachments and the mail spool stay there) and start Onethread`,
    );
  } finally {
    bar.stop();
    await source.close();
  }
}
