import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

// The bench's worker threads: clients that must not share the measured server's event
// loop (socket-clients.ts, smtp-sender.ts).

/** Epoch milliseconds (timeOrigin + now), comparable across threads of one process. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** A new thread running the module at `moduleUrl`, which starts its work when it finds a parentPort. */
export function startTsxWorker(moduleUrl: string): Worker {
  // The modules are TypeScript run through tsx, whose loader a new thread does not
  // inherit: the thread registers it first, then loads the module.
  const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); })`;
  return new Worker(source, { eval: true });
}
