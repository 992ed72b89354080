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
  return {
    dataDir: path.resolve(read(env, 'DATA_DIR')),
    databaseUrl: read(env, 'DATABASE_URL') ?? null,
    port,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    reopenClosedOnCustomerReply: read(env, 'REOPEN_CLOSED_ON_CUSTOMER_REPLY'),
  };
}
