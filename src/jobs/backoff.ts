export type BackoffOptions = { baseMs?: number; capMs?: number; random?: () => number };

/**
 * How long to wait before retrying a job whose attempt number `attempt` (1-based) failed:
 * 5 s, 10 s, 20 s … doubling up to an hour, so a receiver that is down for a while is
 * not hammered and one that is back soon is not waited on for long.
 *
 * Half of each delay is random ("equal jitter"): jobs that failed together in one outage
 * spread out instead of retrying in the same instant, and below the cap a delay is still
 * never shorter than the one before it.
 */
export function retryDelay(attempt: number, { baseMs = 5_000, capMs = 3_600_000, random = Math.random }: BackoffOptions = {}): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
