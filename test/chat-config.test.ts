import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const noEnvFile = '/nonexistent/.env';
const SECRET = 'x'.repeat(40);

describe('chat configuration', () => {
  it('reads the widget and bot settings', () => {
    const { chat } = loadConfig(
      {
        PUBLIC_URL: 'https://support.example.com',
        WIDGET_ALLOWED_ORIGINS: 'https://shop.example.com, https://example.com',
        WIDGET_IDENTITY_SECRET: SECRET,
        WIDGET_IDENTITY: 'required',
        WIDGET_PRECHAT: 'required',
        WIDGET_TEAM_NAME: 'Acme Support',
        BOT_ESCALATION_KEYWORDS: 'refund, cancel ,',
        BOT_LLM_URL: 'https://llm.example.com/v1',
        BOT_LLM_MODEL: 'small-model',
        BOT_LLM_API_KEY: 'sk-1',
        BOT_LLM_TIMEOUT_MS: '2500',
      },
      noEnvFile,
    );
    expect(chat.origins.allowed).toEqual(new Set(['https://shop.example.com', 'https://example.com']));
    expect(chat.identity).toEqual({ secret: SECRET, required: true });
    expect(chat).toMatchObject({ preChat: 'required', teamName: 'Acme Support', publicUrl: 'https://support.example.com' });
    expect(chat.bot).toMatchObject({
      enabled: true,
      escalationKeywords: ['refund', 'cancel'],
      llm: { url: 'https://llm.example.com/v1', model: 'small-model', apiKey: 'sk-1', timeoutMs: 2500 },
    });
    expect(loadConfig({ BOT_ENABLED: 'false' }, noEnvFile).chat.bot.enabled).toBe(false);
  });

  it.each([
    [{ WIDGET_ALLOWED_ORIGINS: 'shop.example.com' }, /^WIDGET_ALLOWED_ORIGINS: "shop.example.com" is not an origin/],
    [{ WIDGET_IDENTITY: 'required' }, /^WIDGET_IDENTITY_SECRET: must be set when WIDGET_IDENTITY=required/],
    [{ WIDGET_IDENTITY_SECRET: 'short' }, /^WIDGET_IDENTITY_SECRET: must be at least 32 characters/],
    [{ WIDGET_PRECHAT: 'sometimes' }, /^WIDGET_PRECHAT: must be off, optional or required/],
    [{ BOT_LLM_URL: 'https://llm.example.com' }, /^BOT_LLM_MODEL: BOT_LLM_URL and BOT_LLM_MODEL go together/],
    [{ BOT_LLM_TIMEOUT_MS: '5' }, /^BOT_LLM_TIMEOUT_MS: must be milliseconds/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env, noEnvFile)).toThrow(message);
  });
});
