import { describe, expect, it } from 'vitest';
import { MAIL_PEERS, rawMail, uniqueId } from './support/email.js';
import { apiPerson, mailsTo, receive, request, useMailApi } from './support/mail-api.js';

// Issue 17, Spam: a blocked sender's next mail lands in Spam with no acknowledgement sent and
// no notification — through the real path: swaks into the SMTP listener, the outbox worker
// sending to an aiosmtpd sink, which would catch anything mailed.

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('spam by mail', () => {
  const api = useMailApi({ acknowledge: true });

  it('files a blocked sender’s next mail in Spam, acknowledges nothing and notifies nobody', async () => {
    const agent = await apiPerson(api, 'agent', 'Ana Agent');
    const spammer = 'deals@cheap-watches.test';

    // Before the block: acknowledged, as any new mail is.
    const firstId = uniqueId('spam');
    const first = await receive(api, rawMail({ from: `Deals <${spammer}>`, subject: 'Cheap watches', messageId: firstId }));
    expect(await api.worker.runOnce()).toBe(1);
    expect(await mailsTo(api, spammer)).toHaveLength(1);

    const marked = await request(api, agent, 'POST', `/api/conversations/${first.conversationId}/spam`, { block: 'address' });
    expect(marked.status).toBe(200);
    const sentBefore = (await api.sink.received()).length;

    // After: a new conversation straight into Spam, and a reply to the first stays there.
    const next = await receive(api, rawMail({ from: `Deals <${spammer}>`, subject: 'Even cheaper watches' }));
    expect(next.status).toBe('processed');
    expect(next.conversationId).not.toBe(first.conversationId);
    const reply = await receive(api, rawMail({ from: spammer, subject: 'Re: Cheap watches', inReplyTo: firstId }));
    expect(reply.conversationId).toBe(first.conversationId);
    const spam = (await request(api, agent, 'GET', '/api/conversations?state=spam')).json.items as { id: number; subject: string; status: string }[];
    expect(spam.map((c) => c.id)).toEqual(expect.arrayContaining([first.conversationId, next.conversationId]));
    expect(spam.find((c) => c.id === next.conversationId)).toMatchObject({ status: 'closed', subject: 'Even cheaper watches' });
    expect(spam.find((c) => c.id === first.conversationId)).toMatchObject({ status: 'closed' });
    const open = (await request(api, agent, 'GET', '/api/conversations?status=open,pending,resolved,closed')).json.items as { id: number }[];
    expect(open.map((c) => c.id)).not.toContain(next.conversationId);
    const events = (await request(api, agent, 'GET', `/api/conversations/${next.conversationId}/events`)).json.items as { eventType: string; origin: string }[];
    expect(events.find((e) => e.eventType === 'marked_spam')).toMatchObject({ origin: 'system' });

    // Nothing is due, and nothing reaches the sink: no acknowledgement, no mail to anyone.
    expect(await api.worker.runOnce()).toBe(0);
    expect(await mailsTo(api, spammer)).toHaveLength(1);
    expect(await mailsTo(api, agent.email)).toEqual([]);
    expect((await api.sink.received()).length).toBe(sentBefore);
    const jobs = await api.mail.store.db.selectFrom('outbox').select(['kind', 'payload']).execute();
    expect(jobs.filter((j) => JSON.parse(j.payload).conversationId === next.conversationId)).toEqual([]);

    // Someone not blocked is still acknowledged.
    await receive(api, rawMail({ from: 'Real Customer <real@customers.test>', subject: 'Where is my order?' }));
    expect(await api.worker.runOnce()).toBe(1);
    expect(await mailsTo(api, 'real@customers.test')).toHaveLength(1);
  });
});
