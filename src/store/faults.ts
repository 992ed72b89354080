// Which database errors mean "the database is not reachable right now" rather than "this
// statement is wrong": a lost or refused connection, a server shutting down or starting
// up, a locked or full SQLite file. Such a request answers 503 with Retry-After instead of
// 500, and background loops wait for the next round instead of giving up.

/** SQLSTATEs that end the session: the connection is gone after them. Class 08 (connection exception) too. */
const LOST_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown or restart
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
]);
const LOST_SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg reports some losses with a message only.
const LOST_MESSAGES = [
  'Connection terminated', // …unexpectedly, …due to connection timeout
  'connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
];
const BUSY_CODES = new Set([
  '53300', // too_many_connections
  // SQLite: another process held the lock past busy_timeout; the disk is full or failing.
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** The connection to the database is gone or was refused: nothing said on it is known to have happened after this point. */
export function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error);
  if (code && (LOST_CODES.has(code) || LOST_SOCKET_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (error instanceof Error && LOST_MESSAGES.some((m) => error.message.includes(m))) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause !== undefined && cause !== error && isConnectionLost(cause);
}

/** The database cannot serve now but may shortly: answer 503 and let the caller try again. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError || isConnectionLost(error)) return true;
  const code = codeOf(error);
  // better-sqlite3 extends the primary code (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT…).
  return code !== undefined && BUSY_CODES.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'));
}

/**
 * The database went away while a write was being committed, or stayed away while it was
 * retried. Whether a broken COMMIT took effect cannot be known: the client should retry
 * with the same idempotency key, which finds the first write if it did.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}
