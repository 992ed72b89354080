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
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      { DATA_DIR: '/srv/onethread', DATABASE_URL: 'postgres://u@db/onethread', PORT: '8080', PUBLIC_URL: 'https://help.example.com/', REOPEN_CLOSED_ON_CUSTOMER_REPLY: 'false' },
      noEnvFile,
    );
    expect(config).toEqual({
      dataDir: '/srv/onethread',
      databaseUrl: 'postgres://u@db/onethread',
      port: 8080,
      publicUrl: 'https://help.example.com',
      reopenClosedOnCustomerReply: false,
    });
  });

  it.each([
    ['PORT', 'eighty', 'PORT: must be a port number (0-65535)'],
    ['PORT', '70000', 'PORT: must be a port number (0-65535)'],
    ['DATABASE_URL', 'mysql://localhost/x', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    ['PUBLIC_URL', 'help.example.com', 'PUBLIC_URL: must be an http(s) URL'],
    ['REOPEN_CLOSED_ON_CUSTOMER_REPLY', 'maybe', 'REOPEN_CLOSED_ON_CUSTOMER_REPLY: must be true or false'],
  ])('a bad %s is one line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value }, noEnvFile)).toThrowError(message);
  });
});
