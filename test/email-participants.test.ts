import { describe, expect, it } from 'vitest';
import { getConversation, getConversationEvents, getConversationMessages } from '../src/inbox/queries.js';
import { MAIL_PEERS, rawMail, SUPPORT, uniqueId } from './support/email.js';
import { apiPerson, mailsTo, receive, request, useMailApi } from './support/mail-api.js';

// Issue 14, item 3: Cc is kept. The people a customer copies are the conversation's
// participants (team only), replies go To the customer and Cc them, the agent can change
// whom a reply copies, each mailed message shows its From/To/Cc, and a participant who
// writes back lands in the same conversation as themselves, not as the customer.

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('participants: Cc in and out (swaks in, aiosmtpd sink out)', () => {
  const api = useMailApi();
  const { mail } = api;
  const addresses = (list: { value: { address?: string }[] } | { value: { address?: string }[] }[] | undefined) =>
    (Array.isArray(list) ? list : list ? [list] : []).flatMap((l) => l.value.map((a) => a.address));

  it("keeps a mail's Cc as participants, copies them on replies, and files a participant's answer as theirs in the same conversation", async () => {
    const agent = await apiPerson(api, 'agent', 'Ana Agent');
    const customer = await apiPerson(api, 'customer', 'Carol Customer');
    const first = uniqueId('first');
    const filed = await receive(
      api,
      rawMail({
        messageId: first,
        from: `Carol Customer <${customer.email}>`,
        to: `${SUPPORT}, Pat Partner <pat@example.org>`,
        headers: { Cc: `"Quinn, Q." <QUINN@example.org>, support+sales@example.test, ${agent.email}, Carol <${customer.email}>` },
        subject: 'Contract renewal',
      }),
    );
    const id = filed.conversationId!;
    // Not our own addresses, not the customer, not a team member.
    const team = await request(api, agent, 'GET', `/api/conversations/${id}`);
    expect(team.json.conversation.participants).toEqual([
      { email: 'pat@example.org', name: 'Pat Partner' },
      { email: 'quinn@example.org', name: 'Quinn, Q.' },
    ]);
    const thread = await request(api, agent, 'GET', `/api/conversations/${id}/messages`);
    expect(thread.json.items[0].email).toEqual({
      from: `Carol Customer <${customer.email}>`,
      to: [SUPPORT, 'Pat Partner <pat@example.org>'],
      cc: ['Quinn, Q. <quinn@example.org>', 'support+sales@example.test', agent.email, `Carol <${customer.email}>`],
    });
    // The customer sees her conversation, not the team's view of who else is on it.
    const own = await request(api, customer, 'GET', `/api/conversations/${id}`);
    expect(own.status).toBe(200);
    expect(own.json.conversation).not.toHaveProperty('participants');
    expect((await request(api, customer, 'GET', `/api/conversations/${id}/messages`)).json.items[0]).not.toHaveProperty('email');

    // A reply goes To the customer and Cc the participants.
    const replied = await request(api, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Renewed for another year.' });
    expect(replied.status).toBe(201);
    expect(replied.json.message.email).toEqual({
      from: null,
      to: [`Carol Customer <${customer.email}>`],
      cc: ['Pat Partner <pat@example.org>', 'Quinn, Q. <quinn@example.org>'],
    });
    expect(await api.worker.runOnce()).toBe(1);
    const [sent] = await mailsTo(api, 'pat@example.org');
    expect(addresses(sent!.to)).toEqual([customer.email]);
    expect(sent!.cc).toMatchObject({
      value: [
        { name: 'Pat Partner', address: 'pat@example.org' },
        { name: 'Quinn, Q.', address: 'quinn@example.org' },
      ],
    });
    expect(sent!.headers.get('x-rcptto')).toBe(`${customer.email}, pat@example.org, quinn@example.org`);
    const after = (await request(api, agent, 'GET', `/api/conversations/${id}/messages`)).json.items.at(-1);
    expect(after).toMatchObject({
      delivery: { status: 'sent' },
      email: { from: `Ana Agent <${SUPPORT}>`, cc: ['Pat Partner <pat@example.org>', 'Quinn, Q. <quinn@example.org>'] },
    });

    // Pat answers all: the same conversation, written by Pat, whose customer is still Carol.
    const replyTo = mail.channel.tokens.replyAddress(SUPPORT, id);
    const answer = await receive(
      api,
      rawMail({
        from: 'Pat Partner <pat@example.org>',
        to: replyTo,
        headers: { Cc: `Carol <${customer.email}>, new.person@example.org` },
        subject: `Re: ${sent!.subject}`,
        inReplyTo: sent!.messageId!.replace(/^<|>$/g, ''),
        body: 'Please send the invoice to me.',
      }),
      { from: 'pat@example.org', to: replyTo },
    );
    expect(answer.conversationId).toBe(id);
    const messages = (await getConversationMessages(mail.ctx, id)).items;
    expect(messages.at(-1)).toMatchObject({
      body: 'Please send the invoice to me.',
      sender: { type: 'customer', name: 'Pat Partner', email: 'pat@example.org' },
    });
    const conversation = await getConversation(mail.ctx, id);
    expect(messages.at(-1)!.sender.id).not.toBe(conversation.customer.id);
    expect(conversation).toMatchObject({ status: 'open', customer: { email: customer.email, name: 'Carol Customer' } });
    // Whom Pat copied joins; Carol stays the customer, not a participant.
    expect(conversation.participants.map((p) => p.email)).toEqual(['pat@example.org', 'quinn@example.org', 'new.person@example.org']);
    expect((await getConversationEvents(mail.ctx, id)).filter((e) => e.eventType === 'participants_changed').map((e) => e.newValue)).toEqual([
      ['pat@example.org', 'quinn@example.org', 'new.person@example.org'],
    ]);

    // A participant's new mail with only the conversation's number in its subject threads too.
    const bySubject = await receive(api, rawMail({ from: 'quinn@example.org', subject: `Question [${conversation.number}]`, body: 'And the price?' }));
    expect(bySubject.conversationId).toBe(id);
    // Someone who is not on it gets a conversation of their own.
    const stranger = await receive(api, rawMail({ from: 'mallory@example.org', subject: `Question [${conversation.number}]`, body: 'Let me in' }));
    expect(stranger.conversationId).not.toBe(id);
  });

  it('the agent sets whom a reply copies: that becomes the participants, names kept, and the mail goes to exactly them', async () => {
    const agent = await apiPerson(api, 'agent', 'Bo Agent');
    const filed = await receive(
      api,
      rawMail({ from: 'dan@example.org', headers: { Cc: 'Erin Ex <erin@example.org>, fred@example.org' }, subject: 'Team access' }),
    );
    const id = filed.conversationId!;
    const replied = await request(api, agent, 'POST', `/api/conversations/${id}/messages`, {
      body: 'Added Erin and Gus.',
      cc: ['ERIN@example.org', 'gus@example.org'],
    });
    expect(replied.status, JSON.stringify(replied.json)).toBe(201);
    expect(replied.json.message.email.cc).toEqual(['Erin Ex <erin@example.org>', 'gus@example.org']);
    expect((await request(api, agent, 'GET', `/api/conversations/${id}`)).json.conversation.participants).toEqual([
      { email: 'erin@example.org', name: 'Erin Ex' },
      { email: 'gus@example.org', name: '' },
    ]);
    const changed = (await getConversationEvents(mail.ctx, id)).find((e) => e.eventType === 'participants_changed')!;
    expect(changed).toMatchObject({
      performedBy: agent.id,
      oldValue: ['erin@example.org', 'fred@example.org'],
      newValue: ['erin@example.org', 'gus@example.org'],
    });
    expect(await api.worker.runOnce()).toBe(1);
    const sent = (await mailsTo(api, 'dan@example.org')).at(-1)!;
    expect(addresses(sent.cc)).toEqual(['erin@example.org', 'gus@example.org']);
    expect(await mailsTo(api, 'fred@example.org')).toEqual([]);

    // An empty list copies nobody from now on.
    expect((await request(api, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Just you now.', cc: [] })).status).toBe(201);
    expect((await getConversation(mail.ctx, id)).participants).toEqual([]);
    expect(await api.worker.runOnce()).toBe(1);
    expect((await mailsTo(api, 'dan@example.org')).at(-1)!.cc).toBeUndefined();
  });

  it('an agent starting an email conversation copies people; the form takes them comma-separated', async () => {
    const agent = await apiPerson(api, 'agent');
    const form = new FormData();
    for (const [key, value] of Object.entries({
      channel: 'email',
      customerEmail: 'hal@example.org',
      subject: 'Welcome',
      body: 'Welcome aboard!',
      cc: 'ida@example.org, jo@example.org',
    }))
      form.set(key, value);
    const created = await request(api, agent, 'POST', '/api/conversations', form);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.conversation.participants.map((p: { email: string }) => p.email)).toEqual(['ida@example.org', 'jo@example.org']);
    expect(await api.worker.runOnce()).toBe(1);
    const [sent] = await mailsTo(api, 'hal@example.org');
    expect(addresses(sent!.cc)).toEqual(['ida@example.org', 'jo@example.org']);
  });

  it('refuses a Cc it cannot keep, with the field named, and changes nothing', async () => {
    const agent = await apiPerson(api, 'agent');
    const colleague = await apiPerson(api, 'agent');
    const customer = await apiPerson(api, 'customer');
    const filed = await receive(api, rawMail({ from: customer.email, headers: { Cc: 'kim@example.org' }, subject: 'Refusals' }));
    const path = `/api/conversations/${filed.conversationId}/messages`;
    const refused = async (body: unknown, who = agent) => {
      const answer = await request(api, who, 'POST', path, body);
      return { status: answer.status, code: answer.json.error.code, field: answer.json.error.field };
    };
    expect(await refused({ body: 'x', cc: ['not an address'] })).toEqual({ status: 400, code: 'validation_failed', field: 'cc' });
    expect(await refused({ body: 'x', cc: [colleague.email] })).toEqual({ status: 400, code: 'validation_failed', field: 'cc' });
    expect(await refused({ body: 'x', cc: ['support+billing@example.test'] })).toEqual({ status: 400, code: 'validation_failed', field: 'cc' });
    expect(await refused({ body: 'x', isInternal: true, cc: ['lee@example.org'] })).toEqual({ status: 400, code: 'validation_failed', field: 'cc' });
    expect((await refused({ body: 'x', cc: Array.from({ length: 21 }, (_, i) => `p${i}@example.org`) })).status).toBe(400);
    expect(await refused({ body: 'x', cc: ['lee@example.org'] }, customer)).toMatchObject({ status: 403, code: 'forbidden' });
    const ticket = await request(api, customer, 'POST', '/api/conversations', { subject: 'A ticket', body: 'Hello' });
    const onTicket = await request(api, agent, 'POST', `/api/conversations/${ticket.json.conversation.id}/messages`, { body: 'x', cc: ['lee@example.org'] });
    expect(onTicket).toMatchObject({ status: 400, json: { error: { code: 'validation_failed', field: 'cc' } } });
    expect((await request(api, customer, 'POST', '/api/conversations', { subject: 'Mine', body: 'Hello', cc: ['lee@example.org'] })).status).toBe(403);

    const conversation = await getConversation(mail.ctx, filed.conversationId!);
    expect(conversation.participants).toEqual([{ email: 'kim@example.org', name: '' }]);
    expect(conversation.messageCount).toBe(1);
  });
});
