import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseBusinessHours } from './calendar/parse.js';
import { type Calendar, isTimeZone } from './calendar/schema.js';
import { type ChatSettings, DEFAULT_CHAT_SETTINGS, parseAllowedOrigins } from './channels/chat/index.js';

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
  /** The first admin's name (ONETHREAD_ADMIN_NAME); null: "Admin", to be changed on the profile page. */
  firstAdminName: string | null;
  /** How much the server logs (LOG_LEVEL): request lines only from `info`; start-up facts are printed whatever it is. */
  logLevel: LogLevel;
  /** Uploads: the largest file in bytes and the most files on one message. */
  attachments: { maxFileBytes: number; maxFiles: number };
  /** The email channel; null (off) unless SUPPORT_ADDRESSES is set. */
  email: EmailConfig | null;
  /**
   * Which reverse proxies' X-Forwarded-For to believe for the client's address (TRUST_PROXY):
   * their addresses or networks, a hop count, or none (false: the default, the socket's peer
   * is the client). Behind a proxy without it every client looks like the proxy, and the
   * per-address limits (sign-in, sign-up, contact form, widget) would count them all as one.
   */
  trustProxy: boolean | number | string[];
  /** The public contact form: messages allowed per client address in 10 minutes and per email address in an hour. */
  contact: { perIp: number; perEmail: number };
  /** Portal sign-ups allowed per client address and per email address in an hour. */
  signup: { perIp: number; perEmail: number };
  /** The chat widget and its bot. */
  chat: ChatSettings;
  /**
   * The business hours from the environment (BUSINESS_HOURS in BUSINESS_TIMEZONE): they seed
   * the stored calendar on a first start only. `notes`: what start-up should say about them.
   */
  businessHours: { calendar: Calendar | null; notes: string[] };
  /** Web Push (PUSH_ALLOW_HTTP): accept plain http push endpoints too, for tests and a local push service; off, https only (the server POSTs there). */
  push: { allowHttp: boolean };
  /** Customer satisfaction surveys (issue 19): CSAT_ENABLED, CSAT_DELAY_SECONDS after a resolve, at most one per customer in CSAT_COOLDOWN_DAYS. */
  csat: { enabled: boolean; delaySeconds: number; cooldownDays: number };
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  /** Mail the customer an acknowledgement of a new email or ticket conversation. */
  acknowledge: boolean;
  /** How long an agent's reply on a ticket or chat waits for the customer to read it before it is mailed. */
  continuityDelayMs: number;
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
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
  PORT: z.coerce
    .number({ error: 'must be a port number (0-65535)' })
    .int('must be a port number (0-65535)')
    .min(0, 'must be a port number (0-65535)')
    .max(65535, 'must be a port number (0-65535)')
    .default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  TRUST_PROXY: z
    .string()
    .trim()
    .transform((value, context): boolean | number | string[] => {
      if (value === 'true' || value === 'false') return value === 'true';
      if (/^\d+$/.test(value)) return Number(value);
      const addresses = value.split(',').map((part) => part.trim());
      // An address or a network (10.0.0.0/8): what Fastify's proxy-addr accepts.
      if (addresses.every((a) => isIP(a.replace(/\/\d{1,3}$/, '')) !== 0)) return addresses;
      context.addIssue({ code: 'custom', message: "must be the proxies' addresses or networks (comma-separated), a hop count, true or false" });
      return z.NEVER;
    })
    .optional(),
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
  ONETHREAD_ADMIN_NAME: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('warn'),
  // Fractions allowed (0.5 is 512 KB), so a small limit can be tried without patching code.
  ATTACHMENT_MAX_FILE_MB: z.coerce
    .number({ error: 'must be a number of megabytes greater than 0' })
    .positive('must be a number of megabytes greater than 0')
    .max(100_000, 'must be at most 100000 (MB)')
    .default(25),
  ATTACHMENT_MAX_FILES: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int('must be a whole number from 1 to 100')
    .min(1, 'must be a whole number from 1 to 100')
    .max(100, 'must be a whole number from 1 to 100')
    .default(10),
  SUPPORT_ADDRESSES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((a) => /^[^\s@<>()",;:+]+@[^\s@<>()",;:]+$/.test(a) && a.length <= 254),
      'must be comma-separated email addresses (without +tags)',
    )
    .optional(),
  SMTP_LISTEN_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { error: 'must be a port number (0-65535) or off' }).default(2525),
  EMAIL_MAX_MB: z.coerce
    .number({ error: 'must be a number of megabytes greater than 0' })
    .positive('must be a number of megabytes greater than 0')
    .max(1024, 'must be at most 1024 (MB)')
    .default(25),
  SMTP_TLS_KEY: z
    .string()
    .refine((file) => existsSync(file), 'file not found')
    .optional(),
  SMTP_TLS_CERT: z
    .string()
    .refine((file) => existsSync(file), 'file not found')
    .optional(),
  IMAP_URL: z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL' }).optional(),
  IMAP_POLL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 1 to 3600' })
    .min(1, 'must be a number of seconds from 1 to 3600')
    .max(3600, 'must be a number of seconds from 1 to 3600')
    .default(60),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  EMAIL_REPLY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  EMAIL_ACKNOWLEDGE: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  EMAIL_CONTINUITY_DELAY_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0 to 86400' })
    .min(0, 'must be a number of seconds from 0 to 86400')
    .max(86_400, 'must be a number of seconds from 0 to 86400')
    .default(60),
  CONTACT_LIMIT_PER_IP: z.coerce
    .number({ error: 'must be a whole number from 1 to 10000' })
    .int('must be a whole number from 1 to 10000')
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(5),
  CONTACT_LIMIT_PER_EMAIL: z.coerce
    .number({ error: 'must be a whole number from 1 to 10000' })
    .int('must be a whole number from 1 to 10000')
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(3),
  SIGNUP_LIMIT_PER_IP: z.coerce
    .number({ error: 'must be a whole number from 1 to 10000' })
    .int('must be a whole number from 1 to 10000')
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(10),
  SIGNUP_LIMIT_PER_EMAIL: z.coerce
    .number({ error: 'must be a whole number from 1 to 10000' })
    .int('must be a whole number from 1 to 10000')
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(3),
  WIDGET_ALLOWED_ORIGINS: z.string().optional(),
  WIDGET_IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WIDGET_IDENTITY: z.enum(['optional', 'required'], { error: 'must be optional or required' }).default('optional'),
  WIDGET_PRECHAT: z.enum(['off', 'optional', 'required'], { error: 'must be off, optional or required' }).default('optional'),
  BUSINESS_HOURS: z.string().optional(),
  BUSINESS_TIMEZONE: z.string().optional(),
  // The older names of the two above, from when only the widget had hours.
  WIDGET_HOURS: z.string().optional(),
  WIDGET_TIMEZONE: z.string().optional(),
  WIDGET_TEAM_NAME: z.string().min(1).max(100).default(DEFAULT_CHAT_SETTINGS.teamName),
  BOT_ENABLED: booleanFlag.default(true),
  BOT_ESCALATION_KEYWORDS: z.string().optional(),
  BOT_LLM_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  BOT_LLM_MODEL: z.string().min(1).optional(),
  BOT_LLM_API_KEY: z.string().min(1).optional(),
  BOT_LLM_TIMEOUT_MS: z.coerce
    .number({ error: 'must be milliseconds from 100 to 60000' })
    .int()
    .min(100, 'must be milliseconds from 100 to 60000')
    .max(60_000, 'must be milliseconds from 100 to 60000')
    .default(5000),
  PUSH_ALLOW_HTTP: booleanFlag.default(false),
  CSAT_ENABLED: booleanFlag.default(true),
  CSAT_DELAY_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0 to 604800' })
    .min(0, 'must be a number of seconds from 0 to 604800')
    .max(604_800, 'must be a number of seconds from 0 to 604800')
    .default(600),
  CSAT_COOLDOWN_DAYS: z.coerce
    .number({ error: 'must be a number of days from 0 to 365' })
    .min(0, 'must be a number of days from 0 to 365')
    .max(365, 'must be a number of days from 0 to 365')
    .default(7),
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
    trustProxy: read(env, 'TRUST_PROXY') ?? false,
    firstAdmin: adminEmail ? { email: adminEmail, password: adminPassword ?? null } : null,
    firstAdminName: read(env, 'ONETHREAD_ADMIN_NAME') ?? null,
    logLevel: read(env, 'LOG_LEVEL'),
    attachments: {
      maxFileBytes: Math.max(1, Math.round(read(env, 'ATTACHMENT_MAX_FILE_MB') * 1024 * 1024)),
      maxFiles: read(env, 'ATTACHMENT_MAX_FILES'),
    },
    email: readEmailConfig(env),
    contact: { perIp: read(env, 'CONTACT_LIMIT_PER_IP'), perEmail: read(env, 'CONTACT_LIMIT_PER_EMAIL') },
    signup: { perIp: read(env, 'SIGNUP_LIMIT_PER_IP'), perEmail: read(env, 'SIGNUP_LIMIT_PER_EMAIL') },
    chat: readChatConfig(env, publicUrl.replace(/\/+$/, '')),
    businessHours: readBusinessHours(env),
    push: { allowHttp: read(env, 'PUSH_ALLOW_HTTP') },
    csat: { enabled: read(env, 'CSAT_ENABLED'), delaySeconds: read(env, 'CSAT_DELAY_SECONDS'), cooldownDays: read(env, 'CSAT_COOLDOWN_DAYS') },
  };
}

/** BUSINESS_HOURS and BUSINESS_TIMEZONE, or their older names WIDGET_HOURS and WIDGET_TIMEZONE; the new name wins. */
function readBusinessHours(env: Env): Config['businessHours'] {
  const notes: string[] = [];
  const pick = (name: 'BUSINESS_HOURS' | 'BUSINESS_TIMEZONE', old: 'WIDGET_HOURS' | 'WIDGET_TIMEZONE') => {
    const value = read(env, name);
    const oldValue = read(env, old);
    if (value !== undefined && oldValue !== undefined) notes.push(`Note: ${old} is ignored: ${name} is set too, and wins (${old} is its older name).`);
    return value !== undefined ? { name, value } : oldValue !== undefined ? { name: old, value: oldValue } : null;
  };
  const hours = pick('BUSINESS_HOURS', 'WIDGET_HOURS');
  const timezone = pick('BUSINESS_TIMEZONE', 'WIDGET_TIMEZONE');
  if (timezone && !isTimeZone(timezone.value)) throw new ConfigError(timezone.name, `"${timezone.value}" is not a time zone like Europe/Berlin`);
  if (!hours) return { calendar: null, notes };
  try {
    return { calendar: parseBusinessHours(hours.value, timezone?.value), notes };
  } catch (error) {
    throw new ConfigError(hours.name, (error as Error).message);
  }
}

function readChatConfig(env: Env, publicUrl: string): ChatSettings {
  let origins: ChatSettings['origins'];
  try {
    origins = parseAllowedOrigins(read(env, 'WIDGET_ALLOWED_ORIGINS'));
  } catch (error) {
    throw new ConfigError('WIDGET_ALLOWED_ORIGINS', (error as Error).message);
  }
  const secret = read(env, 'WIDGET_IDENTITY_SECRET') ?? null;
  const required = read(env, 'WIDGET_IDENTITY') === 'required';
  if (required && !secret) throw new ConfigError('WIDGET_IDENTITY_SECRET', 'must be set when WIDGET_IDENTITY=required');
  const llmUrl = read(env, 'BOT_LLM_URL');
  const model = read(env, 'BOT_LLM_MODEL');
  if (Boolean(llmUrl) !== Boolean(model)) throw new ConfigError(llmUrl ? 'BOT_LLM_MODEL' : 'BOT_LLM_URL', 'BOT_LLM_URL and BOT_LLM_MODEL go together');
  const timeoutMs = read(env, 'BOT_LLM_TIMEOUT_MS');
  const keywords = (read(env, 'BOT_ESCALATION_KEYWORDS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return {
    ...DEFAULT_CHAT_SETTINGS,
    origins,
    identity: { secret, required },
    preChat: read(env, 'WIDGET_PRECHAT'),
    teamName: read(env, 'WIDGET_TEAM_NAME'),
    bot: {
      ...DEFAULT_CHAT_SETTINGS.bot,
      enabled: read(env, 'BOT_ENABLED'),
      escalationKeywords: keywords,
      llm: llmUrl && model ? { url: llmUrl, model, apiKey: read(env, 'BOT_LLM_API_KEY'), timeoutMs } : null,
    },
    publicUrl,
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
  if (Boolean(key) !== Boolean(cert))
    throw new ConfigError(key ? 'SMTP_TLS_CERT' : 'SMTP_TLS_KEY', 'must be set together with ' + (key ? 'SMTP_TLS_KEY' : 'SMTP_TLS_CERT'));
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
    acknowledge: read(env, 'EMAIL_ACKNOWLEDGE') === 'on',
    continuityDelayMs: Math.round(read(env, 'EMAIL_CONTINUITY_DELAY_SECONDS') * 1000),
  };
}
