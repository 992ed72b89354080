import { parseArgs } from 'node:util';
import type { ImportComposition } from '../../compose-import.js';
import { findImportedMessagesOf } from '../../store/imports.js';
import { agentsOf } from '../agents.js';
import { ImportUsageError, importBar, runAndReport } from '../command.js';
import { ZendeskClient } from './client.js';
import { zendeskFiles } from './files.js';
import { apiReader, fileReader, ZendeskFileError } from './reader.js';
import { zendeskSource } from './source.js';

// `onethread import zendesk …` (issue 20): from the API (`--url`, `--email`, `--token`) or
// a JSON export (`--file`). ZENDESK_INCREMENTAL_PER_MINUTE (or `--rate`) sets how many
// requests a minute the incremental exports get (Zendesk allows 10; a stand-in may allow more).

export async function zendeskCommand(app: ImportComposition, args: string[]): Promise<void> {
  try {
    await run(app, args);
  } catch (error) {
    // A file that is not an export is the operator's to fix, said in one line.
    throw error instanceof ZendeskFileError ? new ImportUsageError(error.message) : error;
  }
}

async function run(app: ImportComposition, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      email: { type: 'string' },
      token: { type: 'string' },
      file: { type: 'string' },
      users: { type: 'string' },
      organizations: { type: 'string' },
      since: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      report: { type: 'string' },
    },
    strict: true,
  });
  if (!values.file && !(values.url && values.email && values.token))
    throw new ImportUsageError('give the account: onethread import zendesk --url https://SUB.zendesk.com --email EMAIL --token TOKEN (or --file EXPORT.json)');
  if ((values.users || values.organizations) && !values.file) throw new ImportUsageError('--users and --organizations go with --file: the API brings its own');
  const rate = Number(values.rate ?? process.env.ZENDESK_INCREMENTAL_PER_MINUTE ?? 10);
  const since = Number(values.since ?? 0);
  if (!(rate > 0) || !Number.isInteger(since) || since < 0) throw new ImportUsageError('--rate is requests a minute (> 0), --since a Unix time in seconds');
  const dryRun = values['dry-run'] ?? false;
  const bar = importBar(dryRun);
  const progress = { done: 0, total: 0 };
  const client = new ZendeskClient({
    url: values.url ?? 'https://zendesk.invalid',
    email: values.email,
    token: values.token,
    incrementalPerMinute: rate,
    onWait: (ms, why) => bar.update(progress.done, progress.total, `waiting ${Math.ceil(ms / 1000)} s: ${why}`),
  });
  const storage = app.uploads?.storage;
  const name = `zendesk:${values.url ? new URL(values.url).host : 'export'}`;
  const source = await zendeskSource({
    name,
    reader: values.file ? fileReader(values.file, { users: values.users, organizations: values.organizations }) : apiReader(client, since),
    agentFor: agentsOf(app.accounts, dryRun),
    importedOf: (ticket, comments) => findImportedMessagesOf(app.store.db, name, ticket, comments),
    // Without an attachment store (ATTACHMENTS off) a comment's files refuse it, with that reason.
    storeFile: storage
      ? zendeskFiles(client, storage)
      : async () => {
          throw new Error('attachments are switched off here: the comment has files');
        },
  });
  await runAndReport(app, source, {
    dryRun,
    reportFile: values.report,
    bar,
    unit: 'tickets',
    onProgress: (p) => Object.assign(progress, { done: p.done, total: p.total ?? p.done }),
  });
}
