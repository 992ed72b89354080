import { expect } from 'vitest';
import type { OutboxWorker } from '../../src/jobs/outbox-worker.js';

/** Runs a worker's batches until one finds nothing due; each batch holds at most `batchSize`. Resolves to how many ran. */
export async function drain(worker: OutboxWorker, batchSize: number): Promise<number> {
  let total = 0;
  for (let ran = await worker.runOnce(); ran > 0; ran = await worker.runOnce()) {
    expect(ran).toBeLessThanOrEqual(batchSize);
    total += ran;
  }
  return total;
}
