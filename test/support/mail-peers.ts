import { spawnSync } from 'node:child_process';

// The real mail peers the email suites talk to (Debian packages; .ci/run installs them).

/** Debian's own Python has the python3-aiosmtpd module; the first python3 on PATH may not. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

export const MAIL_PEERS = {
  /** Sends to our SMTP listener: test/email-smtp.test.ts. */
  swaks: has('swaks', ['--version']),
  /** Receives what we send: the outbound tests in test/email-outbound.test.ts. */
  aiosmtpd: has(SYSTEM_PYTHON, ['-c', 'import aiosmtpd']),
  /** Serves the mailbox we poll: test/email-imap.test.ts. */
  dovecot: has('dovecot', ['--version']),
};

const PACKAGES = { swaks: 'swaks', aiosmtpd: 'python3-aiosmtpd', dovecot: 'dovecot-imapd' } as const;

/** One line for the test run's header: which mail peers are there, which suites are skipped. */
export function mailPeersLine(): string {
  const missing = (Object.keys(MAIL_PEERS) as (keyof typeof MAIL_PEERS)[]).filter((peer) => !MAIL_PEERS[peer]);
  if (missing.length === 0) return '[onethread tests] mail peers: swaks, aiosmtpd, dovecot found; the email suites run against them';
  return `[onethread tests] mail peers: suites needing ${missing.join(', ')} skipped (not installed); apt-get install -y ${missing.map((peer) => PACKAGES[peer]).join(' ')}`;
}
