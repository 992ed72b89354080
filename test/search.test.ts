import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.js';
import { addMessage } from '../src/inbox/commands.js';
import { getConversationMessages, getConversations, searchConversations } from '../src/inbox/queries.js';
import type { Conversation } from '../src/inbox/records.js';
import { parseSearchQuery } from '../src/text/search-text.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Full-text search: parseSearchQuery on its own, searchConversations (ranked, with
// snippets) and getConversations' `q`, on whichever database the run uses. Each test
// searches for words of its own (random letters: one token in both FTS5 and tsvector), so
// the tests of this file, which share a database, cannot find each other's rows.

const inbox = useTestInbox();

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** A word no other row contains. */
const word = () => `qx${Array.from({ length: 9 }, () => LETTERS[Math.floor(Math.random() * 26)]).join('')}`;

const found = (results: readonly { conversation: Conversation }[]) => results.map((r) => r.conversation.id);
const ids = (page: { items: readonly { id: number }[] }) => page.items.map((c) => c.id);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  // Unrelated conversations, so no word of a test is common to most of the corpus (FTS5's
  // bm25 gives a word found in over half the rows a weight of almost nothing).
  for (let i = 0; i < 20; i++) {
    await makeConversation(inbox, { subject: `Question number ${i}`, body: `Something about my account, item ${i}, please help.` });
  }
});

describe('parseSearchQuery', () => {
  it.each([
    ['Refund please', [['refund'], ['please']]],
    ['  spaced   out  ', [['spaced'], ['out']]],
    ['ana@example.com', [['ana', 'example', 'com']]],
    ['"quoted"', [['quoted']]],
    ['foo AND OR NOT (', [['foo'], ['and'], ['or'], ['not']]],
    ['v1.2.3 is out', [['v1', '2', '3'], ['is'], ['out']]],
    ["O'Brien", [['o', 'brien']]],
    ['Grüße, Café!', [['grüße'], ['café']]],
    ['ＦＵＬＬ width', [['full'], ['width']]],
    ['foo* bar^ NEAR(baz)', [['foo'], ['bar'], ['near', 'baz']]],
    ['*', []],
    ['', []],
    ['   ', []],
    ['( ) " : - ^', []],
  ])('parses %j', (q, terms) => {
    expect(parseSearchQuery(q)).toEqual(terms);
  });

  it('keeps at most 12 terms', () => {
    const q = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(parseSearchQuery(q)).toEqual(Array.from({ length: 12 }, (_, i) => [`w${i}`]));
  });
});

describe('searchConversations', () => {
  it('ranks a conversation whose messages match several times, or whose subject matches, above a weak match', async () => {
    const w = word();
    const filler = 'The parcel was left at the front desk of the building and nobody signed for it, the tracking page says';
    const weak = (await makeConversation(inbox, { subject: 'Delivery', body: `${filler} ${w} once, ${filler}.` })).conversation;
    const strong = (await makeConversation(inbox, { subject: 'Broken', body: `${w} failed, ${w} again, ${w} every time.` })).conversation;
    const subject = (await makeConversation(inbox, { subject: `${w} refund`, body: `About the ${w}.` })).conversation;

    const results = await searchConversations(inbox.ctx, w);
    expect(new Set(found(results))).toEqual(new Set([weak.id, strong.id, subject.id]));
    expect(found(results).at(-1)).toBe(weak.id);
    const scores = results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(results.find((r) => r.conversation.id === weak.id)!.score).toBeLessThan(results.find((r) => r.conversation.id === strong.id)!.score);
  });

  it('returns each conversation once, with its best matching message', async () => {
    const w = word();
    const conversation = (await makeConversation(inbox, { subject: 'Login', body: `I cannot log in (${w}).` })).conversation;
    const reply = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { customerEmail: conversation.customer.email },
      body: `${w} ${w} ${w}: still ${w}.`,
    });
    const results = await searchConversations(inbox.ctx, w);
    expect(found(results)).toEqual([conversation.id]);
    expect(results[0]!.messageId).toBe(reply.message.id);
  });

  it.each(['first', 'second'])('shows the best matching message when the subject matches too, the strong match written %s', async (strongIs) => {
    const w = word();
    const strongBody = `${w} ${w}, ${w} and ${w}!`;
    const weakBody = `A long message that mentions ${w} only once, among many other words about the order and its delivery.`;
    const { conversation, message: opening } = await makeConversation(inbox, {
      subject: `${w} problem`,
      body: strongIs === 'first' ? strongBody : weakBody,
    });
    const { message: reply } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { customerEmail: conversation.customer.email },
      body: strongIs === 'first' ? weakBody : strongBody,
    });
    const strong = strongIs === 'first' ? opening : reply;
    const [result] = await searchConversations(inbox.ctx, w);
    expect(result?.conversation.id).toBe(conversation.id);
    expect(result!.messageId).toBe(strong.id);
  });

  it('marks only matches: marker characters written in a body do not become <mark>', async () => {
    const w = word();
    await makeConversation(inbox, { subject: 'Markers', body: `Pasted \u0002fake\u0003 text near ${w}.` });
    const [result] = await searchConversations(inbox.ctx, w);
    expect(result!.snippet).toContain(`<mark>${w}</mark>`);
    expect(result!.snippet).not.toContain('<mark>fake</mark>');
    expect(result!.snippet.match(/<mark>/g)).toHaveLength(1);
  });

  it('returns a snippet with the match in <mark> and no raw markup from the body', async () => {
    const w = word();
    const body = `Hello team, the page shows <script>alert("pwned")</script> and then ${w} & nothing else <b>bold</b>.`;
    const conversation = (await makeConversation(inbox, { subject: 'Odd page', body })).conversation;
    const [result] = await searchConversations(inbox.ctx, w);
    expect(result?.conversation.id).toBe(conversation.id);
    expect(result!.snippet).toContain(`<mark>${w}</mark>`);
    const withoutMarks = result!.snippet.replace(/<\/?mark>/g, '');
    expect(withoutMarks).not.toMatch(/[<>]/);
    expect(result!.snippet).not.toContain('<script');
  });

  it('shows markup written in a body escaped in the snippet, not dropped', async () => {
    const w = word();
    const body = `When I type <script>alert(1)</script> into ${w} the form breaks & says "no".`;
    await makeConversation(inbox, { subject: 'Form', body });
    const [result] = await searchConversations(inbox.ctx, w);
    expect(result!.snippet).toContain('&lt;script&gt;');
    expect(result!.snippet).toContain('&amp;');
    expect(result!.snippet).toContain('&quot;no&quot;');
    expect(result!.snippet).toContain(`<mark>${w}</mark>`);
  });

  it('highlights a subject-only match in the escaped subject', async () => {
    const w = word();
    const conversation = (await makeConversation(inbox, { subject: `Invoice <b>${w}</b> & "co"`, body: 'Please see the attached file.' })).conversation;
    const [result] = await searchConversations(inbox.ctx, w);
    expect(result?.conversation.id).toBe(conversation.id);
    expect(result!.messageId).toBeNull();
    expect(result!.snippet).toBe(`Invoice &lt;b&gt;<mark>${w}</mark>&lt;/b&gt; &amp; &quot;co&quot;`);
  });

  it('matches the last word as a prefix, the others as whole words', async () => {
    const w = word();
    const conversation = (await makeConversation(inbox, { subject: 'Setup', body: `The ${w}ification step is done now.` })).conversation;
    expect(found(await searchConversations(inbox.ctx, `${w}ifi`))).toEqual([conversation.id]);
    expect(found(await searchConversations(inbox.ctx, `step ${w}ifi`))).toEqual([conversation.id]);
    expect(found(await searchConversations(inbox.ctx, `${w}ification ste`))).toEqual([conversation.id]);
    expect(found(await searchConversations(inbox.ctx, `${w}ifi step`))).toEqual([]);
    expect(found(await searchConversations(inbox.ctx, `${w.toUpperCase()}IFI`))).toEqual([conversation.id]);
  });

  it("finds a customer's conversations by their email address, whole or by its first part", async () => {
    const w = word();
    const email = `${w}@example.com`;
    const conversation = (await makeConversation(inbox, { from: { customerEmail: email, name: 'Ana Lima' }, subject: 'Hello', body: 'Hi there.' }))
      .conversation;
    expect(found(await searchConversations(inbox.ctx, w))).toEqual([conversation.id]);
    expect(found(await searchConversations(inbox.ctx, email))).toEqual([conversation.id]);
    expect(ids(await getConversations(inbox.ctx, { q: email }))).toEqual([conversation.id]);
  });

  it('finds an email address written in a message body', async () => {
    const w = word();
    const conversation = (await makeConversation(inbox, { subject: 'Contact', body: `Please write to ${w}@example.org instead.` })).conversation;
    expect(found(await searchConversations(inbox.ctx, `${w}@example.org`))).toEqual([conversation.id]);
  });

  it('finds punctuation-joined words written in a body: a version, a host name, a hyphenated word', async () => {
    const w = word();
    const conversation = (await makeConversation(inbox, { subject: 'Upgrade', body: `After ${w} v4.12.7 on shop.${w}.io the check-out ${w}-page fails.` }))
      .conversation;
    expect.soft(found(await searchConversations(inbox.ctx, `${w}-page`)), `${w}-page`).toEqual([conversation.id]);
    expect.soft(found(await searchConversations(inbox.ctx, `${w} v4.12.7`)), `${w} v4.12.7`).toEqual([conversation.id]);
    expect.soft(found(await searchConversations(inbox.ctx, `shop.${w}.io`)), `shop.${w}.io`).toEqual([conversation.id]);
  });

  it('treats quotes, operators and brackets in a query as plain words', async () => {
    const w = word();
    const quoted = (await makeConversation(inbox, { subject: 'Quote', body: `They said "${w}" and left.` })).conversation;
    const operators = (await makeConversation(inbox, { subject: 'Ops', body: `Should ${w} be shown AND hidden, OR not?` })).conversation;
    expect(new Set(found(await searchConversations(inbox.ctx, `"${w}"`)))).toEqual(new Set([quoted.id, operators.id]));
    // AND, OR and NOT are words to find, not operators; the "(" is nothing.
    expect(found(await searchConversations(inbox.ctx, `${w} AND OR NOT (`))).toEqual([operators.id]);
    expect(found(await searchConversations(inbox.ctx, `"${w}" AND`))).toEqual(expect.arrayContaining([quoted.id, operators.id]));
  });

  it.each([
    '*',
    '"',
    '""',
    '(',
    ')',
    'foo AND OR NOT (',
    'NEAR(a b)',
    '^start',
    'col:value',
    "it's",
    '\\',
    '&|!<->',
    'a:*',
    'foo" OR "bar',
    '-minus',
    '{braces} [brackets]',
    '%_%',
    '\u0000nul',
    '💥 emoji',
    'x'.repeat(500),
    Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '),
  ])('never throws on the query %j', async (q) => {
    const results = await searchConversations(inbox.ctx, q);
    expect(Array.isArray(results)).toBe(true);
    const page = await getConversations(inbox.ctx, { q, limit: 5 });
    expect(Array.isArray(page.items)).toBe(true);
    expect(page.countsCapped).toBe(false);
  });

  it('finds nothing for a query with no words', async () => {
    expect(await searchConversations(inbox.ctx, '*')).toEqual([]);
    expect(await searchConversations(inbox.ctx, '  ( " ) ')).toEqual([]);
    expect((await getConversations(inbox.ctx, { q: '*' })).items).toEqual([]);
  });

  it('does not match internal notes when includeInternal is false', async () => {
    const w = word();
    const agent = await makeAgent(inbox);
    const conversation = (await makeConversation(inbox, { subject: 'Billing', body: 'Charged twice.' })).conversation;
    const note = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { userId: agent.id },
      body: `Customer is on the ${w} plan, refund manually.`,
      isInternal: true,
    });

    const forTeam = await searchConversations(inbox.ctx, w);
    expect(found(forTeam)).toEqual([conversation.id]);
    expect(forTeam[0]!.messageId).toBe(note.message.id);
    expect(found(await searchConversations(inbox.ctx, w, { includeInternal: true }))).toEqual([conversation.id]);
    expect(await searchConversations(inbox.ctx, w, { includeInternal: false })).toEqual([]);

    expect(ids(await getConversations(inbox.ctx, { q: w }))).toEqual([conversation.id]);
    expect((await getConversations(inbox.ctx, { q: w, includeInternal: false })).items).toEqual([]);

    // A public message with the same word is found, and is the hit shown.
    const reply = await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: `Your ${w} plan is refunded.` });
    const forCustomer = await searchConversations(inbox.ctx, w, { includeInternal: false });
    expect(found(forCustomer)).toEqual([conversation.id]);
    expect(forCustomer[0]!.messageId).toBe(reply.message.id);
    expect(forCustomer[0]!.snippet).not.toContain('manually');
  });

  it("restricts results to one customer's conversations, filling the page past other customers' better matches", async () => {
    const w = word();
    const others: number[] = [];
    const mine = (await makeConversation(inbox, { subject: 'Mine', body: `Just one ${w} here, in a longer sentence about something else entirely.` }))
      .conversation;
    for (let i = 0; i < 5; i++) {
      others.push((await makeConversation(inbox, { subject: `${w} ${w}`, body: `${w} ${w} ${w} ${w}` })).conversation.id);
    }
    const all = await searchConversations(inbox.ctx, w);
    expect(found(all).at(-1)).toBe(mine.id);

    const restricted = await searchConversations(inbox.ctx, w, { customerId: mine.customer.id, limit: 2 });
    expect(found(restricted)).toEqual([mine.id]);
    expect(await searchConversations(inbox.ctx, w, { customerId: mine.customer.id + 100_000 })).toEqual([]);
    expect(found(await searchConversations(inbox.ctx, w, { limit: 3 }))).toHaveLength(3);
    expect(others).toHaveLength(5);
  });

  it('rejects a limit above 100 as validation_failed', async () => {
    const error = await rejection(searchConversations(inbox.ctx, 'anything', { limit: 101 }));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'validation_failed', field: 'limit' });
  });
});

describe('getConversations with q', () => {
  it('matches subject, customer name and message bodies, by prefix on the last word, in list order', async () => {
    const w = word();
    const bySubject = (await makeConversation(inbox, { subject: `${w}tastic order`, body: 'Hello.' })).conversation;
    const byName = (await makeConversation(inbox, { from: { customerEmail: `${word()}@example.test`, name: `Casey ${w}son` }, subject: 'Hi', body: 'Hello.' }))
      .conversation;
    const byBody = (await makeConversation(inbox, { subject: 'Hi', body: `My ${w}er is broken.` })).conversation;
    const page = await getConversations(inbox.ctx, { q: w });
    expect(ids(page)).toEqual([byBody.id, byName.id, bySubject.id]);
    expect(page.counts.open).toBe(3);
    expect(ids(await getConversations(inbox.ctx, { q: `broken ${w}` }))).toEqual([byBody.id]);
    // Words may fall in different fields of the conversation: bySubject's customer is a Casey too.
    expect(ids(await getConversations(inbox.ctx, { q: `casey ${w}` }))).toEqual([byName.id, bySubject.id]);
  });
});

describe('getConversationMessages', () => {
  it('pages through messages oldest first, by the time they were written, notes included or not', async () => {
    const agent = await makeAgent(inbox);
    const { conversation, message: first } = await makeConversation(inbox, { subject: 'Thread', body: 'First' });
    const customer = { customerEmail: conversation.customer.email };
    const reply = (await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Reply' })).message;
    const note = (await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Note', isInternal: true })).message;
    // An email that was written before everything else and arrives late.
    const late = (await addMessage(inbox.ctx, { conversation: conversation.id, from: customer, body: 'Late', sentAt: first.sentAt - 60_000 })).message;
    const last = (await addMessage(inbox.ctx, { conversation: conversation.id, from: customer, body: 'Last' })).message;

    const walk = async (includeInternal?: boolean) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await getConversationMessages(inbox.ctx, conversation.id, { limit: 2, cursor, includeInternal });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((m) => m.id));
        if (page.nextCursor === null) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('the walk did not end');
    };
    expect(await walk()).toEqual([late.id, first.id, reply.id, note.id, last.id]);
    expect(await walk(true)).toEqual([late.id, first.id, reply.id, note.id, last.id]);
    expect(await walk(false)).toEqual([late.id, first.id, reply.id, last.id]);

    const all = await getConversationMessages(inbox.ctx, conversation.number, { includeInternal: false });
    expect(all.items.map((m) => m.body)).toEqual(['Late', 'First', 'Reply', 'Last']);
    expect(all.items.every((m) => !m.isInternal)).toBe(true);
    expect(all.nextCursor).toBeNull();
  });

  it('rejects a bad cursor or limit as validation_failed, and an unknown conversation as not_found', async () => {
    const { conversation } = await makeConversation(inbox);
    for (const cursor of ['garbage', Buffer.from('[1]').toString('base64url'), Buffer.from('[1.5, 2]').toString('base64url')]) {
      expect(await rejection(getConversationMessages(inbox.ctx, conversation.id, { cursor }))).toMatchObject({ code: 'validation_failed', field: 'cursor' });
    }
    for (const limit of [0, 101]) {
      expect(await rejection(getConversationMessages(inbox.ctx, conversation.id, { limit }))).toMatchObject({ code: 'validation_failed', field: 'limit' });
    }
    expect(await rejection(getConversationMessages(inbox.ctx, 987_654_321))).toMatchObject({ code: 'not_found' });
  });
});
