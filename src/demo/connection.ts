import type { StoreOptions } from '../store/database.js';

/**
 * The demo's own database connection. On PostgreSQL its sessions do not wait for each
 * commit to reach the disk (`synchronous_commit=off`): the data is made up, a crash could
 * lose at most the last moment of it, never leave it inconsistent, and the two thousand
 * small commits of a demo run take about half as long. The server's connections are not
 * affected. SQLite already commits without waiting (WAL, synchronous=NORMAL).
 */
export function demoStoreOptions(options: StoreOptions): StoreOptions {
  if (!options.databaseUrl) return options;
  const url = new URL(options.databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', [existing, '-c synchronous_commit=off'].filter(Boolean).join(' '));
  return { ...options, databaseUrl: url.toString() };
}
