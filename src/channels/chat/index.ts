import type { InboxContext } from '../../inbox/context.js';
import type { KbContext } from '../../kb/records.js';
import { knowledgeBaseProvider } from './bot.js';
import type { ChatContext } from './chat.js';
import type { IdentityPolicy } from './identity.js';
import { type LlmOptions, llmProvider } from './llm-provider.js';
import { type OriginPolicy, parseAllowedOrigins } from './origins.js';

// The chat channel as the app wires it: the widget's settings, who the visitor may claim
// to be, and which bot answers first.

export type ChatSettings = {
  origins: OriginPolicy;
  identity: IdentityPolicy;
  teamName: string;
  greeting: string;
  /** Shown while nobody of the team is online, or outside the business hours (the stored default calendar, src/calendar). */
  offlineMessage: string;
  preChat: 'off' | 'optional' | 'required';
  /**
   * The widget is open to anyone: new visitor sessions per client address in 10 minutes,
   * messages per visitor in a minute, and live sockets open at once per visitor token and
   * per client address (each one holds memory and a hub client).
   */
  limits: { sessionsPerIp: number; messagesPerMinute: number; socketsPerVisitor: number; socketsPerIp: number };
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
  // A visitor has a socket per open tab; an office or a school may share one address.
  limits: { sessionsPerIp: 60, messagesPerMinute: 30, socketsPerVisitor: 5, socketsPerIp: 50 },
  bot: { enabled: true, name: 'Onethread bot', escalationKeywords: [], llm: null },
  publicUrl: 'http://localhost:3000',
};

export function createChatContext(inbox: InboxContext, kb: KbContext, settings: ChatSettings, log: (message: string, error?: unknown) => void): ChatContext {
  const base = knowledgeBaseProvider(kb, settings.publicUrl);
  const llm = settings.bot.llm;
  const provider = llm
    ? llmProvider(
        kb,
        settings.publicUrl,
        { ...llm, onError: (error) => log('chat bot: the LLM endpoint failed; answered from the knowledge base', error) },
        base,
      )
    : base;
  return {
    inbox,
    identity: settings.identity,
    bot: settings.bot.enabled ? { provider, escalationKeywords: settings.bot.escalationKeywords } : null,
    botName: settings.bot.name,
  };
}

export { type OriginPolicy, originAllowed, parseAllowedOrigins } from './origins.js';
