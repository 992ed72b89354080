import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll } from 'vitest';
import { LocalAttachmentStorage } from '../../src/attachments/index.js';
import { type EmailChannel, type EmailChannelConfig, startEmailChannel } from '../../src/channels/email/index.js';
import { isMailable } from '../../src/channels/email/outbound.js';
import { type EmailPlannerOptions, emailPlanner } from '../../src/channels/email/planners.js';
import { SupportAddresses } from '../../src/channels/email/reply-address.js';
import type { SideEffectPlanner } from '../../src/inbox/context.js';
import { findInbound, type InboundRow } from '../../src/store/email.js';
import { type TestInbox, useTestInbox } from './inbox.js';

// Real mail peers for the email suites: swaks sends to our listener, aiosmtpd receives
// what we send, dovecot serves a mailbox we poll. Debian packages (.ci/run installs them);
// a suite whose peer is missing is skipped, and global-setup.ts says so in one line.

import { SYSTEM_PYTHON } from './mail-peers.js';

export { MAIL_PEERS, SYSTEM_PYTHON } from './mail-peers.js';

export const SUPPORT = 'support@example.test';

export type EmailHarness = TestInbox & { channel: EmailChannel; dataDir: string; port: number; storage?: LocalAttachmentStorage };

/** A test inbox with a running email channel (SMTP listener on a free port) and its own DATA_DIR. */
export function useEmailChannel(
  options: {
    /** Evaluated when the channel starts, after the hooks registered before this call (a sink's port, say). */
    config?: Partial<EmailChannelConfig> | (() => Partial<EmailChannelConfig>);
    reopenClosedOnCustomerReply?: boolean;
    floodLimit?: { count: number; windowMs: number };
    sideEffects?: SideEffectPlanner[];
    /** Store attachments (in DATA_DIR/attachments), as the app does. */
    attachments?: boolean;
  } = {},
): EmailHarness {
  const inbox = useTestInbox({ reopenClosedOnCustomerReply: options.reopenClosedOnCustomerReply, sideEffects: options.sideEffects });
  const harness = inbox as EmailHarness;
  beforeAll(async () => {
    harness.dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-mail-'));
    harness.storage = options.attachments ? new LocalAttachmentStorage(path.join(harness.dataDir, 'attachments')) : undefined;
    harness.channel = await startEmailChannel({
      store: inbox.store,
      inbox: inbox.ctx,
      dataDir: harness.dataDir,
      config: { ...testEmailConfig(), ...(typeof options.config === 'function' ? options.config() : options.config) },
      floodLimit: options.floodLimit ?? { count: 1000, windowMs: 10 * 60_000 },
      attachments: harness.storage ?? null,
      log: () => {},
    });
    harness.port = harness.channel.smtpPort ?? 0;
  });
  afterAll(async () => {
    await harness.channel?.stop();
    if (harness.dataDir) rmSync(harness.dataDir, { recursive: true, force: true });
  });
  return harness;
}

/** The channel's planner as the app registers it, for SUPPORT. */
export function testEmailPlanner(options: Partial<EmailPlannerOptions> = {}): SideEffectPlanner {
  const support = new SupportAddresses([SUPPORT]);
  return emailPlanner({ acknowledge: false, continuityDelayMs: 60_000, mailable: (address) => isMailable(support, address), ...options });
}

export function testEmailConfig(): EmailChannelConfig {
  return {
    supportAddresses: [SUPPORT],
    smtpListenPort: 0,
    smtpListenHost: '127.0.0.1',
    maxBytes: 25 * 1024 * 1024,
    tls: null,
    imapUrl: null,
    imapPollMs: 60_000,
    smtpUrl: null,
    replySecret: 'test-secret-0123456789abcdef0123456789',
    acknowledge: false,
    continuityDelayMs: 60_000,
  };
}

export type Finished = { code: number | null; stdout: string; stderr: string };

export function run(command: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Sends with swaks to the listener; `data` is a whole raw message (sent as is). */
export function swaks(port: number, options: { from?: string; to?: string | string[]; data?: string | Buffer; args?: string[] }): Promise<Finished> {
  const to = Array.isArray(options.to) ? options.to.join(',') : (options.to ?? SUPPORT);
  const args = ['--server', `127.0.0.1:${port}`, '--from', options.from ?? 'carol@example.org', '--to', to, '--timeout', '20', '--hide-informational'];
  if (options.data !== undefined) args.push('--data', '-');
  args.push(...(options.args ?? []));
  return run('swaks', args, { input: options.data });
}

/** The inbound row id from the listener's 250 reply ("queued as 12", "already received (12)"). */
export function queuedId(result: Finished): number {
  const match = /<[-~]\s+250 2\.0\.0 (?:queued as (\d+)|already received \((\d+)\))/.exec(result.stdout);
  if (!match) throw new Error(`no 250 in swaks output:\n${result.stdout}\n${result.stderr}`);
  return Number(match[1] ?? match[2]);
}

let counter = 0;
export const uniqueId = (label = 'm') => `${label}.${process.pid}.${Date.now().toString(36).toUpperCase()}.${(++counter).toString(36)}@Example.org`;

export type TestMail = {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  headers?: Record<string, string>;
  body?: string;
  html?: string;
};

/** A raw RFC 5322 message (CRLF), text or multipart/alternative. */
export function rawMail(mail: TestMail = {}): string {
  const lines = [
    `From: ${mail.from ?? 'Carol Customer <carol@example.org>'}`,
    `To: ${mail.to ?? SUPPORT}`,
    `Subject: ${mail.subject ?? 'Invoice missing'}`,
    `Date: ${mail.date ?? new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  if (mail.messageId !== null) lines.push(`Message-ID: <${mail.messageId ?? uniqueId()}>`);
  if (mail.inReplyTo) lines.push(`In-Reply-To: <${mail.inReplyTo}>`);
  if (mail.references) lines.push(`References: ${mail.references.map((r) => `<${r}>`).join(' ')}`);
  for (const [name, value] of Object.entries(mail.headers ?? {})) lines.push(`${name}: ${value}`);
  const text = mail.body ?? 'Hello, my invoice for March is missing.';
  if (mail.html) {
    const boundary = `b-${(++counter).toString(36)}`;
    lines.push(`Content-Type: multipart/alternative; boundary="${boundary}"`, '');
    lines.push(`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text);
    lines.push(`--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', mail.html, `--${boundary}--`, '');
  } else {
    lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text, '');
  }
  return lines.join('\r\n').replace(/\r?\n/g, '\r\n');
}

/** A delivery-status report (a bounce) of the mail we sent as `messageId`, as a mail server writes one. */
export function bounceMail(bounce: { messageId: string; to: string; subject: string; body: string; report: string; reason: string }): string {
  return [
    'From: MAILER-DAEMON@mx.example.org',
    `To: ${SUPPORT}`,
    `Subject: ${bounce.report}`,
    `Message-ID: <${uniqueId('bounce')}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    bounce.reason,
    '--b1',
    'Content-Type: message/rfc822',
    '',
    `Message-ID: <${bounce.messageId}>`,
    `From: ${SUPPORT}`,
    `To: ${bounce.to}`,
    `Subject: ${bounce.subject}`,
    '',
    bounce.body,
    '--b1--',
    '',
  ].join('\r\n');
}

export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The row of a mail once processing has finished with it. */
export function settled(harness: EmailHarness, id: number): Promise<InboundRow> {
  return waitFor(
    async () => {
      const row = await findInbound(harness.store.db, id);
      return row && row.status !== 'pending' ? row : null;
    },
    15_000,
    `mail ${id} to be processed`,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// --- the outbound sink ----------------------------------------------------------------

/**
 * aiosmtpd's Maildir handler, refusing (550) the recipients listed in `refuse` — one
 * address a line, read at every RCPT, so a test can make a mailbox "unknown" and fix it.
 * aiosmtpd adds X-MailFrom and X-RcptTo headers: the envelope, for the tests to check.
 */
const SINK_HANDLER = `
from pathlib import Path
from aiosmtpd.handlers import Mailbox

class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = Path(__file__).with_name("refuse")
        if refused.exists() and address.lower() in refused.read_text().lower().split():
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
`;

export type Sink = {
  port: number;
  dir: string;
  child: ChildProcess;
  /** Every mail received so far, oldest first. */
  received(): Promise<ParsedMail[]>;
  /** The recipients the sink refuses with 550 from now on. */
  refuse(addresses: string[]): void;
};

async function startSink(): Promise<Sink> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-sink-'));
  writeFileSync(path.join(dir, 'onethread_sink.py'), SINK_HANDLER);
  const port = await freePort();
  const child = spawn(SYSTEM_PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'onethread_sink.RefusingMailbox', path.join(dir, 'mail')], {
    stdio: 'ignore',
    env: { ...process.env, PYTHONPATH: dir },
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    15_000,
    'the aiosmtpd sink',
  );
  return {
    port,
    dir,
    child,
    async received() {
      const folder = path.join(dir, 'mail', 'new');
      if (!existsSync(folder)) return [];
      // Maildir names start with the delivery time in seconds; the file's mtime orders within one.
      const files = readdirSync(folder)
        .map((name) => ({ name, at: statMs(path.join(folder, name)) }))
        .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
      return Promise.all(files.map(({ name }) => simpleParser(readFileSync(path.join(folder, name)))));
    },
    refuse(addresses) {
      writeFileSync(path.join(dir, 'refuse'), addresses.join('\n'));
    },
  };
}

const statMs = (file: string) => statSync(file).mtimeMs;

/** An aiosmtpd sink for the whole file: started before, stopped and removed after. */
export function useSink(): Sink {
  const sink = {} as Sink;
  beforeAll(async () => {
    Object.assign(sink, await startSink());
  });
  afterAll(() => {
    sink.child?.kill('SIGTERM');
    if (sink.dir) rmSync(sink.dir, { recursive: true, force: true });
  });
  return sink;
}
