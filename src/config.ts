import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export type Config = {
  dataDir: string;
  databaseUrl: string | null;
  port: number;
  publicUrl: string;
  /** A customer reply to a closed conversation reopens it; when false it is refused so a channel can start a new one. */
  reopenClosedOnCustomerReply: boolean;
  /**
   * The admin to create at start when none exists. Null: `admin@localhost` with a random
   * password printed once. A null password: that address with a random password printed once.
   */
  firstAdmin: { email: string; password: string | null } | null;
  /** Uploads: the largest file in bytes and the most files on one message. */
  attachments: { maxFileBytes: number; maxFiles: number };
  /** The email channel; null (off) unless SUPPORT_ADDRESSES is set. */
  email: EmailConfig | null;
};

export type EmailConfig = {
  supportAddresses: string[];
  /** null: no SMTP listener (`off`); 0: any free port. */
  smtpListenPort: number | null;
  maxBytes: number;
  tls: { keyFile: string; certFile: string } | null;
  imapUrl: string | null;
  imapPollMs: number;
  smtpUrl: string | null;
  replySecret: string | null;
};

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
  }
}

const booleanFlag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1');

// Each variable is parsed on its own so the error names exactly the one that is wrong.
const variables = {
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PORT: z.coerce.number({ error: 'must be a port number (0-65535)' }).int('must be a port number (0-65535)').min(0, 'must be a port number (0-65535)').max(65535, 'must be a port number (0-65535)').default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  REOPEN_CLOSED_ON_CUSTOMER_REPLY: booleanFlag.default(true),
  // The same shape normalizeEmail accepts, so `admin@localhost` is fine.
  ONETHREAD_ADMIN_EMAIL: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/, 'must be an email address')
    .max(254, 'must be an email address')
    .optional(),
  ONETHREAD_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  // Fractions allowed (0.5 is 512 KB), so a small limit can be tried without patching code.
  ATTACHMENT_MAX_FILE_MB: z.coerce.number({ error: 'must be a number of megabytes greater than 0' }).positive('must be a number of megabytes greater than 0').max(100_000, 'must be at most 100000 (MB)').default(25),
  ATTACHMENT_MAX_FILES: z.coerce.number({ error: 'must be a whole number from 1 to 100' }).int('must be a whole number from 1 to 100').min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100').default(10),
  SUPPORT_ADDRESSES: z
    .string()
    .transform((v) => v.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((a) => /^[^\s@<>()",;:+]+@[^\s@<>()",;:]+$/.test(a) && a.length <= 254), 'must be comma-separated email addresses (without +tags)')
    .optional(),
  SMTP_LISTEN_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { error: 'must be a port number (0-65535) or off' })
    .default(2525),
  EMAIL_MAX_MB: z.coerce.number({ error: 'must be a number of megabytes greater than 0' }).positive('must be a number of megabytes greater than 0').max(1024, 'must be at most 1024 (MB)').default(25),
  SMTP_TLS_KEY: z.string().refine((file) => existsSync(file), 'file not found').optional(),
  SMTP_TLS_CERT: z.string().refine((file) => existsSync(file), 'file not found').optional(),
  IMAP_URL: z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL' }).optional(),
  IMAP_POLL_SECONDS: z.coerce.number({ error: 'must be a number of seconds from 1 to 3600' }).min(1, 'must be a number of seconds from 1 to 3600').max(3600, 'must be a number of seconds from 1 to 3600').default(60),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  EMAIL_REPLY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
} as const;

type Env = Record<string, string | undefined>;

function read<K extends keyof typeof variables>(env: Env, name: K): z.output<(typeof variables)[K]> {
  const raw = env[name] === '' ? undefined : env[name];
  const result = variables[name].safeParse(raw);
  if (!result.success) throw new ConfigError(name, result.error.issues[0]?.message ?? 'invalid value');
  return result.data as z.output<(typeof variables)[K]>;
}

/** Reads configuration from `env`, after loading `.env` from the working directory when present. */
export function loadConfig(env: Env = process.env, envFile = path.resolve('.env')): Config {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const port = read(env, 'PORT');
  const publicUrl = read(env, 'PUBLIC_URL') ?? `http://localhost:${port}`;
  const adminEmail = read(env, 'ONETHREAD_ADMIN_EMAIL');
  const adminPassword = read(env, 'ONETHREAD_ADMIN_PASSWORD');
  // A password alone would silently go to admin@localhost; say so instead.
  if (adminPassword && !adminEmail) throw new ConfigError('ONETHREAD_ADMIN_EMAIL', 'must be set when ONETHREAD_ADMIN_PASSWORD is');
  return {
    dataDir: path.resolve(read(env, 'DATA_DIR')),
    databaseUrl: read(env, 'DATABASE_URL') ?? null,
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    reopenClosedOnCustomerReply: read(env, 'REOPEN_CLOSED_ON_CUSTOMER_REPLY'),
    firstAdmin: adminEmail ? { email: adminEmail, password: adminPassword ?? null } : null,
    attachments: {
      maxFileBytes: Math.max(1, Math.round(read(env, 'ATTACHMENT_MAX_FILE_MB') * 1024 * 1024)),
      maxFiles: read(env, 'ATTACHMENT_MAX_FILES'),
    },
    email: readEmailConfig(env),
  };
}

function readEmailConfig(env: Env): EmailConfig | null {
  const supportAddresses = read(env, 'SUPPORT_ADDRESSES');
  const port = read(env, 'SMTP_LISTEN_PORT');
  const key = read(env, 'SMTP_TLS_KEY');
  const cert = read(env, 'SMTP_TLS_CERT');
  const imapUrl = read(env, 'IMAP_URL') ?? null;
  const smtpUrl = read(env, 'SMTP_URL') ?? null;
  const maxMb = read(env, 'EMAIL_MAX_MB');
  const pollSeconds = read(env, 'IMAP_POLL_SECONDS');
  const replySecret = read(env, 'EMAIL_REPLY_SECRET') ?? null;
  if (Boolean(key) !== Boolean(cert)) throw new ConfigError(key ? 'SMTP_TLS_CERT' : 'SMTP_TLS_KEY', 'must be set together with ' + (key ? 'SMTP_TLS_KEY' : 'SMTP_TLS_CERT'));
  // Without the addresses to accept mail for, the channel has nothing to do; saying so beats ignoring the rest.
  if (!supportAddresses) {
    const dangling = (['IMAP_URL', 'SMTP_URL'] as const).find((name) => env[name]);
    if (dangling) throw new ConfigError('SUPPORT_ADDRESSES', `must be set when ${dangling} is`);
    return null;
  }
  return {
    supportAddresses,
    smtpListenPort: port === 'off' ? null : port,
    maxBytes: Math.round(maxMb * 1024 * 1024),
    tls: key && cert ? { keyFile: path.resolve(key), certFile: path.resolve(cert) } : null,
    imapUrl,
    imapPollMs: Math.round(pollSeconds * 1000),
    smtpUrl,
    replySecret,
  };
}
