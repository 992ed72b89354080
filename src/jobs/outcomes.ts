import { isDatabaseUnavailable } from '../store/faults.js';

// What the outbox worker does after a handler has run, for jobs and timers alike.

const MAX_ERROR_LENGTH = 2000;
/** Pauses between tries to record a finished run's outcome while the database is away. */
const RECORD_RETRY_PAUSES_MS = [250, 1_000, 4_000, 10_000];

/**
 * Runs `record` (which writes a handler's outcome) until it works. The handler has run:
 * running it again (once its lease is out) would repeat what it did, so a database that is
 * only briefly away is waited for. Past that, or once the worker stops, the lease runs
 * out and the work runs again: at least once, never lost. Resolves to the error it gave up on.
 */
export async function recordPatiently(record: () => Promise<void>, running: () => boolean): Promise<unknown> {
  for (const pause of [...RECORD_RETRY_PAUSES_MS, null]) {
    try {
      await record();
      return null;
    } catch (error) {
      if (pause !== null && running() && isDatabaseUnavailable(error)) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        continue;
      }
      return error;
    }
  }
  return null;
}

/** An error as stored: its message, cut to a length a row can keep. */
export function storedError(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
