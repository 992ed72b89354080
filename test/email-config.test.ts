import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplyTokens, SupportAddresses } from '../src/channels/email/reply-address.js';
import { referencesFor, replySubject } from '../src/channels/email/thread-headers.js';
import { loadConfig } from '../src/config.js';

const noEnvFile = '/nonexistent/.env';

describe('email configuration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-email-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off without SUPPORT_ADDRESSES, and on with defaults once they are set', () => {
    expect(loadConfig({}, noEnvFile).email).toBeNull();
    expect(loadConfig({ SUPPORT_ADDRESSES: ' Support@Example.com, help@example.com ' }, noEnvFile).email).toEqual({
      supportAddresses: ['support@example.com', 'help@example.com'],
      smtpListenPort: 2525,
      maxBytes: 25 * 1024 * 1024,
      tls: null,
      imapUrl: null,
      imapPollMs: 60_000,
      smtpUrl: null,
      replySecret: null,
      acknowledge: false,
      continuityDelayMs: 60_000,
    });
  });

  it('reads every email variable', () => {
    writeFileSync(path.join(dir, 'key.pem'), 'key');
    writeFileSync(path.join(dir, 'cert.pem'), 'cert');
    const email = loadConfig(
      {
        SUPPORT_ADDRESSES: 'support@example.com',
        SMTP_LISTEN_PORT: 'off',
        EMAIL_MAX_MB: '10',
        SMTP_TLS_KEY: path.join(dir, 'key.pem'),
        SMTP_TLS_CERT: path.join(dir, 'cert.pem'),
        IMAP_URL: 'imaps://support%40example.com:pw@imap.example.com/INBOX',
        IMAP_POLL_SECONDS: '15',
        SMTP_URL: 'smtp://relay.example.com:587',
        EMAIL_REPLY_SECRET: 'x'.repeat(40),
        EMAIL_ACKNOWLEDGE: 'on',
        EMAIL_CONTINUITY_DELAY_SECONDS: '1.5',
      },
      noEnvFile,
    ).email;
    expect(email).toEqual({
      supportAddresses: ['support@example.com'],
      smtpListenPort: null,
      maxBytes: 10 * 1024 * 1024,
      tls: { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') },
      imapUrl: 'imaps://support%40example.com:pw@imap.example.com/INBOX',
      imapPollMs: 15_000,
      smtpUrl: 'smtp://relay.example.com:587',
      replySecret: 'x'.repeat(40),
      acknowledge: true,
      continuityDelayMs: 1_500,
    });
  });

  it.each([
    [{ SUPPORT_ADDRESSES: 'not-an-address' }, 'SUPPORT_ADDRESSES: must be comma-separated email addresses (without +tags)'],
    [{ SUPPORT_ADDRESSES: 'support+x@example.com' }, 'SUPPORT_ADDRESSES: must be comma-separated email addresses (without +tags)'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', SMTP_LISTEN_PORT: 'smtp' }, 'SMTP_LISTEN_PORT: must be a port number (0-65535) or off'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', EMAIL_MAX_MB: '0' }, 'EMAIL_MAX_MB: must be a number of megabytes greater than 0'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', SMTP_TLS_KEY: '/nonexistent/key.pem' }, 'SMTP_TLS_KEY: file not found'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', SMTP_TLS_KEY: '/etc/hostname' }, 'SMTP_TLS_CERT: must be set together with SMTP_TLS_KEY'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', IMAP_URL: 'pop3://x@y' }, 'IMAP_URL: must be an imap:// or imaps:// URL'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', SMTP_URL: 'http://relay' }, 'SMTP_URL: must be an smtp:// or smtps:// URL'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', EMAIL_REPLY_SECRET: 'short' }, 'EMAIL_REPLY_SECRET: must be at least 32 characters'],
    [{ SUPPORT_ADDRESSES: 'a@example.com', EMAIL_ACKNOWLEDGE: 'yes' }, 'EMAIL_ACKNOWLEDGE: must be on or off'],
    [
      { SUPPORT_ADDRESSES: 'a@example.com', EMAIL_CONTINUITY_DELAY_SECONDS: '-1' },
      'EMAIL_CONTINUITY_DELAY_SECONDS: must be a number of seconds from 0 to 86400',
    ],
    [{ SMTP_URL: 'smtp://relay:25' }, 'SUPPORT_ADDRESSES: must be set when SMTP_URL is'],
  ])('a bad value is one line naming the variable: %o', (env, message) => {
    expect(() => loadConfig(env, noEnvFile)).toThrowError(message);
  });
});

describe('reply addresses, markers and outgoing headers', () => {
  const tokens = new ReplyTokens('0123456789abcdef0123456789abcdef');
  const support = new SupportAddresses(['Support@Example.com']);

  it('signs the conversation id; a changed id or MAC, or another secret, does not verify', () => {
    const address = tokens.replyAddress(support.primary, 42);
    expect(address).toMatch(/^support\+c42-[0-9a-f]{16}@example\.com$/);
    const tag = support.match(address.toUpperCase())!.tag!;
    expect(tokens.verify(tag)).toBe(42);
    expect(tokens.verify(tag.replace('c42-', 'c43-'))).toBeNull();
    expect(tokens.verify(`${tag.slice(0, -1)}${tag.endsWith('0') ? '1' : '0'}`)).toBeNull();
    expect(new ReplyTokens('another secret, just as long.....').verify(tag)).toBeNull();
    expect(tokens.findMarker('> text\n> [ot:c7-0000000000000000]', `x ${tokens.markerText(9)}`)).toBe(9);
    expect(support.match('support@example.com.evil.test')).toBeNull();
    expect(support.isOwn('SUPPORT+anything@example.com')).toBe(true);
  });

  it('trims References to the first and the last ten, and writes one Re: and the number', () => {
    const ids = Array.from({ length: 15 }, (_, i) => `id${i}@x`);
    expect(referencesFor(ids)).toEqual(['id0@x', ...ids.slice(5)]);
    expect(referencesFor(ids.slice(0, 3))).toEqual(ids.slice(0, 3));
    expect(replySubject('Broken zipper', 'CONV-000012')).toBe('Re: Broken zipper [CONV-000012]');
    expect(replySubject('RE: Broken zipper [CONV-000012]', 'CONV-000012')).toBe('RE: Broken zipper [CONV-000012]');
  });
});
