import { describe, expect, it } from 'vitest';
import { forwardConversation } from '../src/inbox/commands.js';
import { getConversationEvents } from '../src/inbox/queries.js';
import { transact } from '../src/store/transaction.js';
import { updateUserRow } from '../src/store/users.js';
import { MAIL_PEERS, rawMail, SUPPORT, uniqueId } from './support/email.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';
import { type ApiPerson, apiPerson, type MailApi, mailsTo, receive, request, useMailApi } from './support/mail-api.js';

// Issue 14, item 4: an agent forwards a message, or the whole conversation, by email to
// any address, with a note; it is recorded as an event; the forward leads back into the
// conversation only when the agent asks for it.

async function conversationWithFiles(api: MailApi, agent: ApiPerson) {
  const filed = await receive(
    api,
    rawMail({ from: 'Carol Customer <carol@example.org>', subject: 'Water damage', body: 'The ceiling is leaking since Monday.' }),
  );
  const id = filed.conversationId!;
  const form = new FormData();
  form.set('body', 'A plumber comes tomorrow; the quote is attached.');
  form.append('files', new Blob(['quote: 120 EUR'], { type: 'text/plain' }), 'quote.txt');
  const reply = await request(api, agent, 'POST', `/api/conversations/${id}/messages`, form);
  expect(reply.status).toBe(201);
  const note = await request(api, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Landlord pays, do not tell the tenant yet', isInternal: true });
  expect(note.status).toBe(201);
  // The reply itself is mailed to Carol first.
  expect(await api.worker.runOnce()).toBe(1);
  const thread = (await request(api, agent, 'GET', `/api/conversations/${id}/messages`)).json.items as { id: number; body: string }[];
  return { id, first: thread[0]!, reply: thread[1]!, note: thread[2]! };
}

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('forwarding by email (aiosmtpd sink, swaks back in)', () => {
  const api = useMailApi();
  const { mail } = api;

  it('forwards one message with a note to two addresses, recorded as an event, with no way back into the conversation', async () => {
    const agent = await apiPerson(api, 'agent', 'Ana Agent');
    await transact(mail.store, (tx) => updateUserRow(tx, agent.id, { signature: 'Ana · Example Support' }, mail.clock.now));
    const { id, first } = await conversationWithFiles(api, agent);
    const forwarded = await request(api, agent, 'POST', `/api/conversations/${id}/forward`, {
      to: ['Plumber@Example.net', 'landlord@example.net'],
      note: 'Please have a look at this leak.',
      messageId: first.id,
    });
    expect(forwarded.status, JSON.stringify(forwarded.json)).toBe(202);
    expect(forwarded.json.event).toMatchObject({
      eventType: 'forwarded',
      performedBy: agent.id,
      newValue: { to: ['plumber@example.net', 'landlord@example.net'], messageId: first.id, note: 'Please have a look at this leak.', withReplyAddress: false },
    });
    expect((await getConversationEvents(mail.ctx, id)).at(-1)).toMatchObject({ eventType: 'forwarded' });

    expect(await api.worker.runOnce()).toBe(1);
    const [sent, ...more] = await mailsTo(api, 'plumber@example.net');
    expect(more).toEqual([]);
    expect(sent!.to).toMatchObject({ value: [{ address: 'plumber@example.net' }, { address: 'landlord@example.net' }] });
    expect(sent!.from?.value[0]).toEqual({ name: 'Ana Agent', address: SUPPORT });
    expect(sent!.subject).toBe('Fwd: Water damage');
    expect(sent!.replyTo).toBeUndefined();
    expect(sent!.inReplyTo).toBeUndefined();
    expect(sent!.text).toMatch(
      /^Please have a look at this leak\.\n\n-- \nAna · Example Support\n\n---------- Forwarded message ----------\nFrom: Carol Customer <carol@example\.org>\nDate: .+\nSubject: Water damage\nTo: support@example\.test\n\nThe ceiling is leaking since Monday\.\n$/,
    );
    expect(sent!.html).not.toContain('data-ot-ref');
    expect(`${sent!.text}${sent!.html}`).not.toMatch(/\[ot:|CONV-|A plumber comes|Landlord pays/);
    expect(sent!.attachments).toEqual([]);

    // The plumber answers: a conversation of its own, not this one.
    const answer = await receive(
      api,
      rawMail({ from: 'plumber@example.net', subject: `Re: ${sent!.subject}`, inReplyTo: sent!.messageId!.replace(/^<|>$/g, ''), body: 'I can come at 9.' }),
    );
    expect(answer.conversationId).not.toBe(id);
  });

  it('forwards the whole public thread with its files; asked to, answers come back into the conversation', async () => {
    const agent = await apiPerson(api, 'agent', 'Bo Agent');
    const { id } = await conversationWithFiles(api, agent);
    const forwarded = await request(api, agent, 'POST', `/api/conversations/${id}/forward`, { to: ['insurer@example.net'], withReplyAddress: true });
    expect(forwarded.status).toBe(202);
    expect(await api.worker.runOnce()).toBe(1);
    const [sent] = await mailsTo(api, 'insurer@example.net');
    const number = (await request(api, agent, 'GET', `/api/conversations/${id}`)).json.conversation.number;
    expect(sent!.subject).toBe(`Fwd: Water damage [${number}]`);
    expect(sent!.replyTo?.value[0]?.address).toBe(mail.channel.tokens.replyAddress(SUPPORT, id));
    expect(sent!.text!.split('---------- Forwarded message ----------')).toHaveLength(3);
    expect(sent!.text).toContain('The ceiling is leaking since Monday.');
    expect(sent!.text).toContain(`From: Bo Agent <${SUPPORT}>`);
    expect(sent!.text).toContain('A plumber comes tomorrow; the quote is attached.\n\n[quote.txt]');
    // Never the team's notes.
    expect(`${sent!.text}${sent!.html}`).not.toContain('Landlord pays');
    expect(sent!.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['quote.txt', 'quote: 120 EUR']]);
    expect(sent!.html).toContain('data-ot-ref');

    const answer = await receive(
      api,
      [
        'From: insurer@example.net',
        `To: ${SUPPORT}`,
        'Subject: covered',
        `Date: ${new Date().toUTCString()}`,
        `Message-ID: <${uniqueId('insurer')}>`,
        `In-Reply-To: ${sent!.messageId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Covered by the policy.',
        '',
      ].join('\r\n'),
    );
    expect(answer.conversationId).toBe(id);
  });

  it('refuses what it cannot forward, and customers', async () => {
    const agent = await apiPerson(api, 'agent');
    const customer = await apiPerson(api, 'customer');
    const { id, note } = await conversationWithFiles(api, agent);
    const other = await receive(api, rawMail({ from: 'someone@example.org', subject: 'Other' }));
    const otherFirst = (await request(api, agent, 'GET', `/api/conversations/${other.conversationId}/messages`)).json.items[0].id;
    const forward = (body: unknown, who = agent) => request(api, who, 'POST', `/api/conversations/${id}/forward`, body);
    expect(await forward({ to: ['x@example.net'], messageId: note.id })).toMatchObject({ status: 400, json: { error: { field: 'messageId' } } });
    expect((await forward({ to: ['x@example.net'], messageId: otherFirst })).status).toBe(404);
    expect((await forward({ to: [] })).status).toBe(400);
    expect((await forward({ to: Array.from({ length: 11 }, (_, i) => `r${i}@example.net`) })).status).toBe(400);
    expect(await forward({ to: ['not an address'] })).toMatchObject({ status: 400, json: { error: { field: 'to' } } });
    expect(await forward({ to: ['support+x@example.test'] })).toMatchObject({ status: 400, json: { error: { field: 'to' } } });
    expect((await forward({ to: ['x@example.net'] }, customer)).status).toBe(404);
    // A customer's own conversation: still the team's to forward.
    const own = await request(api, customer, 'POST', '/api/conversations', { subject: 'Mine', body: 'Hello' });
    expect((await request(api, customer, 'POST', `/api/conversations/${own.json.conversation.id}/forward`, { to: ['x@example.net'] })).status).toBe(403);
    expect((await getConversationEvents(mail.ctx, id)).filter((e) => e.eventType === 'forwarded')).toEqual([]);
    expect(await api.worker.runOnce()).toBe(0);
  });
});

describe('forwarding without a way to send mail', () => {
  const inbox = useTestInbox();

  it('is refused with 409 rather than recorded as if it went', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await expect(forwardConversation(inbox.ctx, { conversation: conversation.id, by: { userId: agent.id }, to: ['x@example.net'] })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await getConversationEvents(inbox.ctx, conversation.id)).map((e) => e.eventType)).toEqual(['created']);
  });
});
