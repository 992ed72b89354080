import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnswerProvider, botReply, HANDOVER_TEXT, knowledgeBaseProvider, UNSURE_TEXT } from '../src/channels/chat/bot.js';
import { llmProvider } from '../src/channels/chat/llm-provider.js';
import { contentWords } from '../src/kb/answers.js';
import type { KbContext } from '../src/kb/records.js';
import type { Store } from '../src/store/database.js';
import { seedKnowledgeBase } from './support/kb-articles.js';
import { makeTestStore } from './support/store.js';

const PUBLIC_URL = 'https://help.example.test';

describe('the default bot answers from the knowledge base', () => {
  let store: Store;
  let kb: KbContext;
  let ids: Map<string, number>;
  let provider: AnswerProvider;

  beforeAll(async () => {
    store = await makeTestStore();
    kb = { store, clock: Date.now };
    ids = await seedKnowledgeBase(kb);
    provider = knowledgeBaseProvider(kb, PUBLIC_URL);
  });
  afterAll(async () => {
    await store?.close();
  });

  it.each([
    ['How do I reset my password?', 'Resetting your password', 'Forgot password'],
    ['I forgot my password, what now', 'Resetting your password', 'Forgot password'],
    ['Can I get a refund for my order?', 'Refunds and returns', 'Refunds go back'],
    ['how do returns work', 'Refunds and returns', 'return label'],
    ['Do you ship to Canada?', 'Shipping times and countries', 'Canada'],
    ['How long does express shipping take?', 'Shipping times and countries', 'express shipping'],
    ['where is my parcel? I need the tracking link', 'Tracking an order', 'tracking link'],
    ['how can I downgrade my plan', 'Changing your billing plan', 'downgrade'],
    ['Can I export my contacts as CSV?', 'Exporting your data', 'CSV'],
    ['I lost my phone and can not log in with two-factor', 'Two-factor authentication', 'recovery codes'],
  ])('%s → %s', async (question, title, quoted) => {
    const reply = await botReply({ provider }, { question, missesInARow: 0 });
    expect(reply.kind).toBe('answer');
    if (reply.kind !== 'answer') return;
    expect(reply.article).toEqual({ id: ids.get(title), title, url: `${PUBLIC_URL}/help/articles/${reply.article!.url.split('/').pop()}` });
    expect(reply.article!.url).toMatch(/^https:\/\/help\.example\.test\/help\/articles\/[a-z0-9-]+$/);
    expect(reply.text).toContain(quoted);
    expect(reply.text).toContain(reply.article!.url);
  });

  it('never answers from a draft', async () => {
    const reply = await botReply({ provider }, { question: 'escalation playbook for finance disputes', missesInARow: 0 });
    expect(reply.kind).not.toBe('answer');
  });

  it('off-topic: says it does not know, then hands over on the second miss', async () => {
    const first = await botReply({ provider }, { question: "What's the weather like on Mars today?", missesInARow: 0 });
    expect(first).toEqual({ kind: 'unsure', text: UNSURE_TEXT });
    const second = await botReply({ provider }, { question: 'Who won the football match yesterday?', missesInARow: 1 });
    expect(second).toEqual({ kind: 'handover', text: HANDOVER_TEXT, reason: 'unsure' });
  });

  it('a question sharing only a common word with an article is not answered', async () => {
    const reply = await botReply({ provider }, { question: 'Is my account on the moon base?', missesInARow: 0 });
    expect(reply.kind).toBe('unsure');
  });

  it.each(['I want a human', 'Can I talk to a real person please', 'agent!', 'let me speak to someone real'])('"%s" hands over at once', async (question) => {
    expect(await botReply({ provider }, { question, missesInARow: 0 })).toEqual({ kind: 'handover', text: HANDOVER_TEXT, reason: 'asked' });
  });

  it('configured keywords hand over even when an article would answer', async () => {
    const reply = await botReply({ provider, escalationKeywords: ['refund', 'cancel'] }, { question: 'Can I get a refund?', missesInARow: 0 });
    expect(reply).toEqual({ kind: 'handover', text: HANDOVER_TEXT, reason: 'keyword' });
  });

  it('a question of only filler words asks again', async () => {
    expect(contentWords('how do I do this please?')).toEqual([]);
    expect((await botReply({ provider }, { question: 'how do I do this please?', missesInARow: 0 })).kind).toBe('unsure');
  });
});

describe('an LLM provider, grounded on the articles, with the knowledge base as fallback', () => {
  let store: Store;
  let kb: KbContext;
  let server: Server;
  let url: string;
  const requests: { authorization?: string; body: any }[] = [];
  let behaviour: 'answer' | 'unknown' | 'slow' | 'broken' = 'answer';

  beforeAll(async () => {
    store = await makeTestStore();
    kb = { store, clock: Date.now };
    await seedKnowledgeBase(kb);
    // A stand-in for an OpenAI-compatible endpoint: an outside service, like the SMTP peers.
    server = createServer(async (request: IncomingMessage, response) => {
      let raw = '';
      for await (const chunk of request) raw += chunk;
      requests.push({ authorization: request.headers.authorization, body: JSON.parse(raw) });
      if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 1500));
      if (behaviour === 'broken') return response.writeHead(500).end('{"error":"down"}');
      const content = behaviour === 'unknown' ? 'NO_ANSWER' : 'You have 30 days to ask for a refund; use the prepaid label.';
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await store?.close();
  });

  const failures: unknown[] = [];
  const provider = () =>
    llmProvider(
      kb,
      PUBLIC_URL,
      { url, model: 'test-model', apiKey: 'sk-test', timeoutMs: 500, onError: (error) => failures.push(error) },
      knowledgeBaseProvider(kb, PUBLIC_URL),
    );

  it('sends the question with the retrieved articles and answers with the model text and the best article link', async () => {
    behaviour = 'answer';
    requests.length = 0;
    const reply = await botReply({ provider: provider() }, { question: 'Can I get a refund?', missesInARow: 0 });
    expect(reply).toMatchObject({ kind: 'answer', provider: 'llm', article: { title: 'Refunds and returns' } });
    if (reply.kind === 'answer') expect(reply.text).toContain('30 days to ask for a refund');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.authorization).toBe('Bearer sk-test');
    expect(requests[0]!.body.model).toBe('test-model');
    expect(requests[0]!.body.messages[0].content).toContain('Refunds and returns');
    expect(requests[0]!.body.messages[1]).toEqual({ role: 'user', content: 'Can I get a refund?' });
  });

  it('NO_ANSWER from the model counts as not knowing', async () => {
    behaviour = 'unknown';
    expect((await botReply({ provider: provider() }, { question: 'Can I get a refund?', missesInARow: 0 })).kind).toBe('unsure');
  });

  it.each(['slow', 'broken'] as const)('a %s endpoint falls back to the knowledge-base answer', async (mode) => {
    behaviour = mode;
    failures.length = 0;
    const started = Date.now();
    const reply = await botReply({ provider: provider() }, { question: 'Can I get a refund?', missesInARow: 0 });
    expect(reply).toMatchObject({ kind: 'answer', provider: 'llm', article: { title: 'Refunds and returns' } });
    if (reply.kind === 'answer') expect(reply.text).toContain('within 30 days of purchase');
    if (mode === 'slow') expect(Date.now() - started).toBeLessThan(1400);
    expect(failures).toHaveLength(1);
  });
});
