import type { InboxContext } from '../../inbox/context.js';
import type { KbContext } from '../../kb/records.js';
import { knowledgeBaseProvider } from './bot.js';
import type { ChatContext } from './chat.js';
import type { IdentityPolicy } from './identity.js';
import { llmProvider, type LlmOptions } from './llm-provider.js';
import type { OpeningHours } from './hours.js';
import { parseAllowedOrigins, type OriginPolicy } from './origins.js';

// The chat channel as the app wires it: the widget's settings, who the visitor may claim
// to be, and which bot answers first.

export type ChatSettings = {
  origins: OriginPolicy;
  identity: IdentityPolicy;
  teamName: string;
  greeting: string;
  offlineMessage: string;
  preChat: 'off' | 'optional' | 'required';
  /** New visitor sessions per client address in 10 minutes, and messages per visitor in a minute: the widget is open to anyone. */
  limits: { sessionsPerIp: number; messagesPerMinute: number };
  /** Null: always open while someone of the team is online. */
  hours: OpeningHours | null;
  bot: { enabled: boolean; name: string; escalationKeywords: string[]; llm: Omit<LlmOptions, 'onError'> | null };
  /** For links in the bot's answers, which are read on other websites. */
  publicUrl: string;
};

export const DEFAULT_CHAT_SETTINGS: ChatSettings = {
  origins: parseAllowedOrigins(undefined),
  identity: { secret: null, required: false },
  teamName: 'Support',
  greeting: 'Hi! Ask us anything — our bot answers right away, and a person takes over whenever you like.',
  offlineMessage: "We're not online right now. Leave your email and your question, and we'll answer by email.",
  preChat: 'optional',
  hours: null,
  limits: { sessionsPerIp: 60, messagesPerMinute: 30 },
  bot: { enabled: true, name: 'Onethread bot', escalationKeywords: [], llm: null },
  publicUrl: 'http://localhost:3000',
};

export function createChatContext(inbox: InboxContext, kb: KbContext, settings: ChatSettings, log: (message: string, error?: unknown) => void): ChatContext {
  const base = knowledgeBaseProvider(kb, settings.publicUrl);
  const llm = settings.bot.llm;
  const provider = llm ? llmProvider(kb, settings.publicUrl, { ...llm, onError: (error) => log('chat bot: the LLM endpoint failed; answered from the knowledge base', error) }, base) : base;
  return {
    inbox,
    identity: settings.identity,
    bot: settings.bot.enabled ? { provider, escalationKeywords: settings.bot.escalationKeywords } : null,
    botName: settings.bot.name,
  };
}

export { parseOpeningHours, withinHours, type OpeningHours } from './hours.js';
export { originAllowed, parseAllowedOrigins, type OriginPolicy } from './origins.js';
