import { describe, expect, it } from 'vitest';
import { addMessage, markConversationRead } from '../src/inbox/commands.js';
import { getConversation, getConversations } from '../src/inbox/queries.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Issue 14, item 11: "New reply" marks what a customer wrote since the agent last read the
// conversation. One the agent never opened counts as read up to when they joined, so a
// newly added agent does not find the whole history marked new; on both databases.

const inbox = useTestInbox();

describe('"New reply" for an agent who joins later', () => {
  it('marks nothing customers wrote before they joined, and what customers write afterwards', async () => {
    const tag = `joined-${Date.now().toString(36)}`;
    const veteran = await makeAgent(inbox);
    const waiting = (await makeConversation(inbox, { tags: [tag] })).conversation.id;
    const answered = (await makeConversation(inbox, { tags: [tag] })).conversation.id;
    await addMessage(inbox.ctx, { conversation: answered, from: { userId: veteran.id }, body: 'Sent you a new link.' });
    const another = (await makeConversation(inbox, { tags: [tag] })).conversation.id;

    inbox.clock.advance(60_000);
    const newcomer = await makeAgent(inbox);
    const unread = async (viewerId: number) => Object.fromEntries((await getConversations(inbox.ctx, { tag, viewerId })).items.map((c) => [c.id, c.unread]));

    // The one who was there all along still has them as new: nothing read them for them.
    expect(await unread(veteran.id)).toEqual({ [waiting]: true, [answered]: true, [another]: true });
    expect(await unread(newcomer.id)).toEqual({ [waiting]: false, [answered]: false, [another]: false });

    // The customer writes again after the newcomer joined: new to them.
    await addMessage(inbox.ctx, {
      conversation: waiting,
      from: { customerEmail: (await getConversation(inbox.ctx, waiting)).customer.email },
      body: 'Any news?',
    });
    expect((await unread(newcomer.id))[waiting]).toBe(true);
    await markConversationRead(inbox.ctx, { conversation: waiting, userId: newcomer.id });
    expect((await unread(newcomer.id))[waiting]).toBe(false);

    // A conversation a customer opens after they joined is new to them.
    const fresh = (await makeConversation(inbox, { tags: [tag] })).conversation.id;
    expect(await unread(newcomer.id)).toEqual({ [waiting]: false, [answered]: false, [another]: false, [fresh]: true });
  });
});
