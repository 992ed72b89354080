import type { QueryClient } from '@tanstack/react-query';
import { appendMessage, findInLists, keys, markReadLocally, removeConversation, replaceMessage, upsertConversation } from '../inbox/cache';
import type { EventFrame } from './connection';

// What each frame does to the cache. The conversation a frame carries is the row as it
// is now, so applying frames in order leaves every cached copy current.

/** The conversation this tab shows, so a customer message there is read, not "new". */
let openConversationId: number | null = null;
export function setOpenConversation(id: number | null): void {
  openConversationId = id;
}
/** The conversation on screen in this tab, if any (no notification sound for it). */
export const openConversation = (): number | null => openConversationId;

const deleted = new Set<number>();
export const wasDeleted = (id: number) => deleted.has(id);

let countsTimer: ReturnType<typeof setTimeout> | undefined;
/** Counts are cheap counter rows; a burst of frames still asks once. */
export function refreshCountsSoon(client: QueryClient): void {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(() => void client.invalidateQueries({ queryKey: keys.counts }), 300);
}

function refreshEvents(client: QueryClient, conversationId: number) {
  if (client.getQueryData(keys.events(conversationId)) !== undefined) void client.invalidateQueries({ queryKey: keys.events(conversationId) });
}

export function applyFrame(client: QueryClient, meId: number, frame: EventFrame): void {
  switch (frame.type) {
    case 'conversation.created': {
      const { conversation, message } = frame.data;
      upsertConversation(client, meId, conversation, { unread: message?.sender.type === 'customer' && openConversationId !== conversation.id });
      break;
    }
    case 'message.created': {
      const { conversation, message } = frame.data;
      const fromCustomer = message.sender.type === 'customer' && !message.isInternal;
      if (fromCustomer && openConversationId === conversation.id) markReadLocally(conversation);
      upsertConversation(client, meId, conversation, fromCustomer ? { unread: openConversationId !== conversation.id } : {});
      appendMessage(client, message);
      refreshEvents(client, conversation.id);
      break;
    }
    case 'message.updated': {
      // An email reply's delivery moved (queued → sent, failed, retried).
      upsertConversation(client, meId, frame.data.conversation);
      replaceMessage(client, frame.data.message);
      refreshEvents(client, frame.data.conversation.id);
      break;
    }
    case 'conversation.updated': {
      const { conversation } = frame.data;
      // Woken from a snooze (its time came, or a colleague woke it) while not on screen: the
      // server made it unread for its assignee (commands/snooze.ts), and so does the list here.
      const was = findInLists(client, conversation.id);
      const woke = was?.snoozed && !conversation.snoozed && conversation.status === 'open';
      const mine = conversation.assignedTo === meId && conversation.lastCustomerMessageAt != null && openConversationId !== conversation.id;
      upsertConversation(client, meId, conversation, woke && mine ? { unread: true } : {});
      refreshEvents(client, conversation.id);
      break;
    }
    case 'conversation.deleted': {
      deleted.add(frame.data.id);
      removeConversation(client, frame.data.id);
      client.removeQueries({ queryKey: keys.messages(frame.data.id) });
      client.removeQueries({ queryKey: keys.events(frame.data.id) });
      void client.invalidateQueries({ queryKey: keys.conversation(frame.data.id) });
      break;
    }
  }
  refreshCountsSoon(client);
}
