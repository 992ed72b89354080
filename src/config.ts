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
  };
}
