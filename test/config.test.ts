import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const noEnvFile = '/nonexistent/.env';

describe('configuration', () => {
  it('defaults to SQLite in ./data on port 3000', () => {
    expect(loadConfig({}, noEnvFile)).toEqual({
      dataDir: path.resolve('data'),
      databaseUrl: null,
      port: 3000,
      publicUrl: 'http://localhost:3000',
      reopenClosedOnCustomerReply: true,
      firstAdmin: null,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      { DATA_DIR: '/srv/onethread', DATABASE_URL: 'postgres://u@db/onethread', PORT: '8080', PUBLIC_URL: 'https://help.example.com/', REOPEN_CLOSED_ON_CUSTOMER_REPLY: 'false', ONETHREAD_ADMIN_EMAIL: ' Boss@Example.com ', ONETHREAD_ADMIN_PASSWORD: 'correct horse' },
      noEnvFile,
    );
    expect(config).toEqual({
      dataDir: '/srv/onethread',
      databaseUrl: 'postgres://u@db/onethread',
      port: 8080,
      publicUrl: 'https://help.example.com',
      reopenClosedOnCustomerReply: false,
      firstAdmin: { email: 'boss@example.com', password: 'correct horse' },
    });
  });

  it('an admin address alone gets a generated password', () => {
    expect(loadConfig({ ONETHREAD_ADMIN_EMAIL: 'admin@localhost' }, noEnvFile).firstAdmin).toEqual({ email: 'admin@localhost', password: null });
  });

  it.each([
    ['PORT', 'eighty', 'PORT: must be a port number (0-65535)'],
    ['PORT', '70000', 'PORT: must be a port number (0-65535)'],
    ['DATABASE_URL', 'mysql://localhost/x', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    ['PUBLIC_URL', 'help.example.com', 'PUBLIC_URL: must be an http(s) URL'],
    ['REOPEN_CLOSED_ON_CUSTOMER_REPLY', 'maybe', 'REOPEN_CLOSED_ON_CUSTOMER_REPLY: must be true or false'],
    ['ONETHREAD_ADMIN_EMAIL', 'not an address', 'ONETHREAD_ADMIN_EMAIL: must be an email address'],
    ['ONETHREAD_ADMIN_PASSWORD', 'short', 'ONETHREAD_ADMIN_PASSWORD: must be at least 8 characters'],
  ])('a bad %s is one line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value }, noEnvFile)).toThrowError(message);
  });

  it('an admin password without an address is refused rather than given to admin@localhost', () => {
    expect(() => loadConfig({ ONETHREAD_ADMIN_PASSWORD: 'long enough' }, noEnvFile)).toThrowError(
      'ONETHREAD_ADMIN_EMAIL: must be set when ONETHREAD_ADMIN_PASSWORD is',
    );
  });
});
