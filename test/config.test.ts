import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_SETTINGS } from '../src/channels/chat/index.js';
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
      trustProxy: false,
      firstAdmin: null,
      firstAdminName: null,
      logLevel: 'warn',
      attachments: { maxFileBytes: 25 * 1024 * 1024, maxFiles: 10 },
      email: null,
      contact: { perIp: 5, perEmail: 3 },
      csat: { enabled: true, delaySeconds: 600, cooldownDays: 7 },
      signup: { perIp: 10, perEmail: 3 },
      chat: DEFAULT_CHAT_SETTINGS,
      push: { allowHttp: false },
      businessHours: { calendar: null, notes: [] },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        DATA_DIR: '/srv/onethread',
        DATABASE_URL: 'postgres://u@db/onethread',
        PORT: '8080',
        PUBLIC_URL: 'https://help.example.com/',
        REOPEN_CLOSED_ON_CUSTOMER_REPLY: 'false',
        TRUST_PROXY: '10.0.0.0/8',
        ONETHREAD_ADMIN_EMAIL: ' Boss@Example.com ',
        ONETHREAD_ADMIN_PASSWORD: 'correct horse',
        ONETHREAD_ADMIN_NAME: ' Bo Boss ',
        LOG_LEVEL: 'info',
        ATTACHMENT_MAX_FILE_MB: '5',
        ATTACHMENT_MAX_FILES: '3',
      },
      noEnvFile,
    );
    expect(config).toEqual({
      dataDir: '/srv/onethread',
      databaseUrl: 'postgres://u@db/onethread',
      port: 8080,
      publicUrl: 'https://help.example.com',
      reopenClosedOnCustomerReply: false,
      trustProxy: ['10.0.0.0/8'],
      firstAdmin: { email: 'boss@example.com', password: 'correct horse' },
      firstAdminName: 'Bo Boss',
      logLevel: 'info',
      attachments: { maxFileBytes: 5 * 1024 * 1024, maxFiles: 3 },
      email: null,
      contact: { perIp: 5, perEmail: 3 },
      csat: { enabled: true, delaySeconds: 600, cooldownDays: 7 },
      signup: { perIp: 10, perEmail: 3 },
      chat: { ...DEFAULT_CHAT_SETTINGS, publicUrl: 'https://help.example.com' },
      push: { allowHttp: false },
      businessHours: { calendar: null, notes: [] },
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
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent'],
    ['ATTACHMENT_MAX_FILE_MB', 'big', 'ATTACHMENT_MAX_FILE_MB: must be a number of megabytes greater than 0'],
    ['ATTACHMENT_MAX_FILE_MB', '0', 'ATTACHMENT_MAX_FILE_MB: must be a number of megabytes greater than 0'],
    ['ATTACHMENT_MAX_FILES', '2.5', 'ATTACHMENT_MAX_FILES: must be a whole number from 1 to 100'],
    ['ATTACHMENT_MAX_FILES', '0', 'ATTACHMENT_MAX_FILES: must be a whole number from 1 to 100'],
    ['TRUST_PROXY', 'the proxy', "TRUST_PROXY: must be the proxies' addresses or networks (comma-separated), a hop count, true or false"],
  ])('a bad %s is one line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value }, noEnvFile)).toThrowError(message);
  });

  it('TRUST_PROXY: addresses and networks, a hop count, or a yes or no; unset, no proxy is believed', () => {
    const trust = (value?: string) => loadConfig(value === undefined ? {} : { TRUST_PROXY: value }, noEnvFile).trustProxy;
    expect(trust()).toBe(false);
    expect(trust('127.0.0.1, 10.0.0.0/8, ::1')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(trust('2')).toBe(2);
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
  });

  it('a fractional attachment size limit is taken in binary megabytes', () => {
    expect(loadConfig({ ATTACHMENT_MAX_FILE_MB: '0.5' }, noEnvFile).attachments.maxFileBytes).toBe(512 * 1024);
  });

  it('an admin password without an address is refused rather than given to admin@localhost', () => {
    expect(() => loadConfig({ ONETHREAD_ADMIN_PASSWORD: 'long enough' }, noEnvFile)).toThrowError(
      'ONETHREAD_ADMIN_EMAIL: must be set when ONETHREAD_ADMIN_PASSWORD is',
    );
  });
});

describe('business hours settings', () => {
  const office = { timezone: 'Europe/Berlin', intervals: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:30' })), holidays: [] };

  it('reads BUSINESS_HOURS in BUSINESS_TIMEZONE (UTC by default)', () => {
    expect(loadConfig({ BUSINESS_HOURS: 'Mon-Fri 09:00-17:30', BUSINESS_TIMEZONE: 'Europe/Berlin' }, noEnvFile).businessHours).toEqual({
      calendar: office,
      notes: [],
    });
    expect(loadConfig({ BUSINESS_HOURS: 'Sat 10:00-14:00' }, noEnvFile).businessHours.calendar).toEqual({
      timezone: 'UTC',
      intervals: [{ day: 6, from: '10:00', to: '14:00' }],
      holidays: [],
    });
  });

  it('still reads the older names WIDGET_HOURS and WIDGET_TIMEZONE', () => {
    expect(loadConfig({ WIDGET_HOURS: 'Mon-Fri 09:00-17:30', WIDGET_TIMEZONE: 'Europe/Berlin' }, noEnvFile).businessHours).toEqual({
      calendar: office,
      notes: [],
    });
    expect(loadConfig({ BUSINESS_HOURS: 'Mon-Fri 09:00-17:30', WIDGET_TIMEZONE: 'Europe/Berlin' }, noEnvFile).businessHours).toEqual({
      calendar: office,
      notes: [],
    });
  });

  it('the new name wins over the old one, and start-up is told so', () => {
    const { businessHours } = loadConfig(
      { BUSINESS_HOURS: 'Mon-Fri 09:00-17:30', WIDGET_HOURS: 'Sat 10:00-14:00', BUSINESS_TIMEZONE: 'Europe/Berlin', WIDGET_TIMEZONE: 'Mars/Olympus' },
      noEnvFile,
    );
    expect(businessHours.calendar).toEqual(office);
    expect(businessHours.notes).toEqual([
      'Note: WIDGET_HOURS is ignored: BUSINESS_HOURS is set too, and wins (WIDGET_HOURS is its older name).',
      'Note: WIDGET_TIMEZONE is ignored: BUSINESS_TIMEZONE is set too, and wins (WIDGET_TIMEZONE is its older name).',
    ]);
  });

  it.each([
    [{ BUSINESS_HOURS: 'whenever' }, /^BUSINESS_HOURS: "whenever" is not like/],
    [{ WIDGET_HOURS: 'whenever' }, /^WIDGET_HOURS: "whenever" is not like/],
    [{ BUSINESS_HOURS: 'Mon 09:00-10:00', BUSINESS_TIMEZONE: 'Nowhere/Land' }, /^BUSINESS_TIMEZONE: "Nowhere\/Land" is not a time zone/],
    [{ WIDGET_HOURS: 'Mon 09:00-10:00', WIDGET_TIMEZONE: 'Nowhere/Land' }, /^WIDGET_TIMEZONE: "Nowhere\/Land" is not a time zone/],
    [{ BUSINESS_TIMEZONE: 'Nowhere/Land' }, /^BUSINESS_TIMEZONE: "Nowhere\/Land" is not a time zone/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env, noEnvFile)).toThrowError(message);
  });
});
