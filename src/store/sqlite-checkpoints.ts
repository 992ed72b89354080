import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// A WAL checkpoint copies committed pages back into the database file and fsyncs it.
// SQLite runs one automatically inside whichever commit crosses the threshold, which
// stalls the event loop of a server whose every write is a commit for milliseconds. A
// worker thread with its own connection checkpoints instead (PASSIVE: it never blocks a
// writer), and the main connection keeps a far higher automatic threshold as a safety
// net should the worker fall behind or die.

export const SAFETY_NET_PAGES = 20_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (error) { parentPort.postMessage(String(error && error.message || error)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export type Checkpointer = { stop(): Promise<void> };

export function startBackgroundCheckpoints(file: string, options: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: options.intervalMs ?? 250 } });
  worker.unref();
  worker.on('message', (message: string) => options.onError?.(`sqlite checkpoint: ${message}`));
  worker.on('error', (error) => options.onError?.(`sqlite checkpoint worker stopped: ${error.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held open until the worker has closed its connection, or the process could exit first.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
