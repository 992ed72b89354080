import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bulkInsertUsers } from './bulk-load.js';
import { writeConvexExport } from './convex-export.js';
import { openTarget, UsageError, wholeNumber } from './target.js';

// `npm run bench:import` (issue 20's benchmark): a generated Convex export — by default
// 100,000 tickets and 1,000,000 messages to store — imported by the real CLI in a child
// process, as an operator runs it: `onethread import convex DIR`, then `--inspect` on it.
// Target: the import ≤ 5 minutes with peak RSS ≤ 300 MB, --inspect ≤ 20 s. The baseline of
// the same run is reading the export: one pass parsing every line, as the importer must at
// least do; the import's time is also printed as a multiple of it. Nothing here asserts a
// timing: it prints figures.

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '100000' },
    'messages-per-ticket': { type: 'string', default: '7' },
    threads: { type: 'string', default: '66667' },
    json: { type: 'boolean', default: false },
  },
});

const ROOT = path.resolve(import.meta.dirname, '..');

type Child = { seconds: number; peakRssMb: number; stdout: string };

/**
 * Runs the CLI as `npx onethread` does (dist/cli.js, built from this checkout first: tsx's
 * compiler would add its own memory to the figure). Peak RSS is the kernel's high-water
 * mark of the child, read until it exits.
 */
function runCli(cliArgs: string[], env: Record<string, string>): Promise<Child> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...cliArgs], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // Gone between two polls: the last reading stands.
      }
    }, 100);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`onethread ${cliArgs.join(' ')} exited with ${code}:\n${stdout}`));
      else resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024, stdout });
    });
  });
}

async function readAll(dir: string): Promise<number> {
  const started = performance.now();
  let rows = 0;
  for (const table of ['users', 'support_tickets', 'ticket_messages', 'inbox_messages']) {
    for await (const line of createInterface({ input: createReadStream(path.join(dir, table, 'documents.jsonl')) })) {
      if (line) {
        JSON.parse(line);
        rows++;
      }
    }
  }
  process.stderr.write(`read ${rows} rows\n`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const tickets = wholeNumber('tickets', args.tickets);
  const perTicket = wholeNumber('messages-per-ticket', args['messages-per-ticket']);
  const threads = wholeNumber('threads', args.threads);
  const work = await mkdtemp(path.join(os.tmpdir(), 'onethread-import-bench-'));
  try {
    const exportDir = path.join(work, 'export');
    process.stderr.write('generating the export…\n');
    const generated = writeConvexExport(exportDir, { tickets, messagesPerTicket: perTicket, threads });
    process.stderr.write(`${generated.messages} messages to import, ${generated.copies} copies, ${(generated.bytes / 1e6).toFixed(0)} MB\n`);

    // The agents are team members here already; the import matches them by address.
    const dataDir = path.join(work, 'data');
    const target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir, reuse: false });
    process.stderr.write(`database: ${target.description}\n`);
    await bulkInsertUsers(
      target.store,
      Array.from({ length: 20 }, (_, i) => ({ name: `Agent ${i}`, email: `agent${i}@legacy.bench`, role: 'agent' as const })),
      Date.now(),
    );
    const { connectionString } = target.store;
    const env: Record<string, string> = { DATA_DIR: dataDir, ...(connectionString && { DATABASE_URL: connectionString }) };

    process.stderr.write('building dist/ (tsc -p tsconfig.build.json)…\n');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
    const readSeconds = await readAll(exportDir);
    const inspect = await runCli(['import', 'convex', exportDir, '--inspect'], env);
    const imported = await runCli(['import', 'convex', exportDir, '--report', path.join(work, 'report.json')], env);
    const report = JSON.parse(readFileSync(path.join(work, 'report.json'), 'utf8')) as { messages: { created: number }; conversations: { created: number } };
    const figures = {
      database: process.env.DATABASE_URL ? 'postgresql' : 'sqlite',
      tickets,
      messagesExpected: generated.messages,
      messagesCreated: report.messages.created,
      conversationsCreated: report.conversations.created,
      readSeconds: round(readSeconds),
      importSeconds: round(imported.seconds),
      importMessagesPerSecond: Math.round(report.messages.created / imported.seconds),
      importPeakRssMb: Math.round(imported.peakRssMb),
      importVsRead: round(imported.seconds / readSeconds),
      inspectSeconds: round(inspect.seconds),
      inspectPeakRssMb: Math.round(inspect.peakRssMb),
    };
    console.log(
      `import: ${figures.importSeconds} s (${figures.importMessagesPerSecond} messages/s), peak RSS ${figures.importPeakRssMb} MB — target ≤ 300 s, ≤ 300 MB`,
    );
    console.log(`  ${figures.messagesCreated} of ${figures.messagesExpected} messages, ${figures.conversationsCreated} conversations`);
    console.log(`  ${figures.importVsRead}× the time to read and parse the export once (${figures.readSeconds} s, the baseline of this run)`);
    console.log(`--inspect: ${figures.inspectSeconds} s, peak RSS ${figures.inspectPeakRssMb} MB — target ≤ 20 s`);
    if (args.json) console.log(JSON.stringify(figures));
    await target.finish(false);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench:import: ${error.message}` : error);
  process.exit(1);
});
