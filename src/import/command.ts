import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ImportComposition } from '../compose-import.js';
import { type ProgressBar, progressBar } from '../progress-bar.js';
import { agentsOf } from './agents.js';
import { fieldStats, type Mapping, ROLE_CANDIDATES } from './convex/fields.js';
import { convexFiles } from './convex/files.js';
import { openConvexSnapshot } from './convex/snapshot.js';
import { convexFieldMaps, convexSource, sample } from './convex/source.js';
import { type ImportProgress, type ImportReport, type ImportSource, runImport } from './run.js';

// `onethread import <source> …` (issue 20): the sources, their options, the progress bar
// on the terminal (plain lines otherwise) and the final report, printed and with
// `--report FILE` written as JSON.

export const IMPORT_USAGE = `import convex PATH [--dry-run] [--active-only] [--mapping FILE] [--report FILE] [--inspect]
                bring in a Convex export (ZIP or directory) of the legacy app: tickets, their
                messages, chat and email threads; again later adds only what is new
  import zendesk --url https://SUB.zendesk.com --email EMAIL --token TOKEN
                | --file EXPORT.json [--users USERS.json] [--organizations ORGANIZATIONS.json]
                [--dry-run] [--report FILE] [--since UNIX_TIME] [--rate PER_MINUTE]
                bring in a Zendesk account: users, groups (as teams), organizations, tickets
                with their comments, attachments, tags, custom fields and ratings`;

export class ImportUsageError extends Error {}

export async function importCommand(app: ImportComposition, args: string[]): Promise<void> {
  const [source, ...rest] = args;
  // Loaded when asked for: it imports this module's report and usage error.
  if (source === 'zendesk') return (await import('./zendesk/command.js')).zendeskCommand(app, rest);
  if (source !== 'convex') throw new ImportUsageError(`unknown import source "${source ?? ''}"; try "onethread import convex PATH"`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'dry-run': { type: 'boolean' },
      'active-only': { type: 'boolean' },
      inspect: { type: 'boolean' },
      mapping: { type: 'string' },
      report: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ImportUsageError('give the export: onethread import convex PATH (a .zip or its unzipped directory)');
  const mapping = values.mapping ? readMapping(values.mapping) : {};
  const snapshot = await openConvexSnapshot(positionals[0]!);
  try {
    if (values.inspect) {
      console.log(await inspect(snapshot, mapping));
      return;
    }
    const storage = app.uploads?.storage;
    const source = await convexSource(snapshot, {
      mapping,
      // Without an attachment store (ATTACHMENTS off) a message's files refuse it, with that reason.
      storeFile: storage
        ? await convexFiles(snapshot, storage)
        : async () => {
            throw new Error('attachments are switched off here: the message has files');
          },
      activeOnly: values['active-only'] ?? false,
      agentFor: agentsOf(app.accounts, values['dry-run'] ?? false),
    });
    const dryRun = values['dry-run'] ?? false;
    await runAndReport(app, source, { dryRun, reportFile: values.report, bar: importBar(dryRun), unit: 'conversations' });
  } finally {
    await snapshot.close();
  }
}

export const importBar = (dryRun: boolean) => progressBar(dryRun ? 'importing (dry run)' : 'importing');

/** Every source's run: the bar while it runs, then the report printed and, with `--report FILE`, written as JSON. */
export async function runAndReport(
  app: ImportComposition,
  source: ImportSource & { close(): void },
  options: { dryRun: boolean; reportFile: string | undefined; bar: ProgressBar; unit: string; onProgress?: (p: ImportProgress) => void },
): Promise<void> {
  const { bar } = options;
  try {
    const report = await runImport(app.inbox, source, {
      dryRun: options.dryRun,
      onProgress: (p) => {
        options.onProgress?.(p);
        bar.update(p.done, p.total ?? p.done, options.unit);
      },
    });
    bar.stop();
    console.log(formatReport(report));
    if (options.reportFile) writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    bar.stop();
    source.close();
  }
}

function readMapping(file: string): Mapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ImportUsageError(`--mapping ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed) || !Object.values(parsed).every((m) => isObject(m) && Object.values(m).every((f) => typeof f === 'string')))
    throw new ImportUsageError(`--mapping ${file}: expected { "<table>": { "<role>": "<field>" } }`);
  const unknown = Object.values(parsed)
    .flatMap((m) => Object.keys(m as object))
    .find((role) => !(role in ROLE_CANDIDATES));
  if (unknown) throw new ImportUsageError(`--mapping ${file}: no role "${unknown}"; the roles: ${Object.keys(ROLE_CANDIDATES).join(', ')}`);
  return parsed as Mapping;
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `${r.dryRun ? 'dry run (nothing written): ' : ''}${r.source}`,
    `  conversations: ${r.conversations.created} created, ${r.conversations.updated} given later messages, ${r.conversations.alreadyImported} already imported, ${r.conversations.refused} refused`,
    `  messages: ${r.messages.created} created, ${r.messages.skippedAsDuplicate} skipped as copies, ${r.messages.refused} refused`,
    ...r.refused.slice(0, 20).map((x) => `  refused ${x.sourceId}: ${x.reason}`),
    ...(r.refused.length > 20 ? [`  … and ${r.refused.length - 20} more refused (all in --report)`] : []),
    ...r.notes.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n');
}

/** A sample's value with what it says hidden: its shape stays readable. */
function redact(value: unknown): unknown {
  if (typeof value === 'string') {
    if (/^[^@\s]+@[^@\s]+$/.test(value)) return `${value[0]}…@${value.split('@')[1]}`;
    return value.length <= 3 ? value : `${value.slice(0, 2)}…(${value.length})`;
  }
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  return value;
}

async function inspect(snapshot: Awaited<ReturnType<typeof openConvexSnapshot>>, mapping: Mapping): Promise<string> {
  const maps = await convexFieldMaps(snapshot, mapping);
  const out: string[] = [];
  for (const table of await snapshot.tables()) {
    let rows = 0;
    for await (const _ of snapshot.documents(table)) rows++;
    const docs = await sample(snapshot, table);
    out.push(`${table}: ${rows} rows`);
    for (const f of fieldStats(docs)) out.push(`  ${f.field}: ${f.types.join('|')}, filled ${Math.round(f.fillRate * 100)} %`);
    for (const doc of docs.slice(0, 3)) out.push(`  sample: ${JSON.stringify(redact(doc))}`);
    if (maps[table]) out.push(`  mapping: ${JSON.stringify(maps[table])}`);
  }
  return out.join('\n');
}
