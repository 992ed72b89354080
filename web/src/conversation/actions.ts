import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { type ConversationPatch, type Draft, endpoints } from '../api/endpoints';
import type { Conversation, User } from '../api/types';
import { appendMessage, findInLists, keys, removeConversation, removeMessage, replaceMessage, snapshot, upsertConversation } from '../inbox/cache';
import { refreshCountsSoon } from '../live/apply';
import { showError, showToast } from '../ui/toasts';
import type { ThreadMessage } from './Thread';

// Every change shows at once and is undone, with the server's reason on screen, if the
// server refuses it.

const current = (client: ReturnType<typeof useQueryClient>, id: number) => client.getQueryData<Conversation>(keys.conversation(id)) ?? findInLists(client, id);

export function usePatchConversation(id: number, me: User) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ patch }: { patch: ConversationPatch; what: string }) => endpoints.patchConversation(id, patch),
    onMutate: async ({ patch }) => {
      await client.cancelQueries({ queryKey: keys.conversation(id) });
      const restore = snapshot(client, id);
      const before = current(client, id);
      if (before) upsertConversation(client, me.id, { ...before, ...patch, tags: patch.tags ?? before.tags, labels: patch.labels ?? before.labels });
      return { restore };
    },
    onError: (error, { what }, context) => {
      context?.restore();
      showError(`Couldn’t ${what}: ${errorMessage(error)}`);
      void client.invalidateQueries({ queryKey: keys.conversation(id) });
    },
    onSuccess: ({ conversation }) => {
      upsertConversation(client, me.id, conversation);
      void client.invalidateQueries({ queryKey: keys.events(id) });
      refreshCountsSoon(client);
    },
  });
}

export function useDeleteConversation(id: number, onDeleted: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => endpoints.deleteConversation(id),
    onMutate: () => {
      const restore = snapshot(client, id);
      removeConversation(client, id);
      return { restore };
    },
    onError: (error, _v, context) => {
      context?.restore();
      showError(`Couldn’t delete the conversation: ${errorMessage(error)}`);
    },
    onSuccess: () => {
      showToast('info', 'Conversation deleted');
      refreshCountsSoon(client);
      onDeleted();
    },
  });
}

let temporaryId = -1;

/** Sends a reply or note, with its files; it shows in the thread at once, marked as sending. */
export function useSendMessage(id: number, me: User) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ draft, key }: { draft: Draft; key: string }) => endpoints.sendMessage(id, draft, key),
    onMutate: ({ draft }) => {
      const pending: ThreadMessage = {
        id: temporaryId--,
        conversationId: id,
        sender: { id: me.id, type: 'admin', name: me.name, email: me.email },
        body: draft.body,
        htmlBody: null,
        // The canned replies' files too: the streamed copy replaces this one by its attachment count (inbox/cache.ts).
        attachments: [...draft.files, ...(draft.canned ?? []).flatMap((c) => c.files)].map((file) => ({
          id: temporaryId--,
          name: file.name,
          contentType: 'contentType' in file ? file.contentType : file.type,
          size: file.size,
          url: '',
        })),
        isInternal: draft.isInternal,
        auto: null,
        sentAt: Date.now(),
        readAt: null,
        pending: true,
      };
      appendMessage(client, pending);
      return { pendingId: pending.id };
    },
    // The composer says why beside the draft it restores.
    onError: (_error, _v, context) => {
      if (context) removeMessage(client, id, context.pendingId);
    },
    onSuccess: ({ message }, _v, context) => {
      removeMessage(client, id, context.pendingId);
      appendMessage(client, message);
      // A public reply moves the status (open → pending): read the conversation back.
      void client.invalidateQueries({ queryKey: keys.conversation(id) });
      void client.invalidateQueries({ queryKey: keys.events(id) });
      refreshCountsSoon(client);
    },
  });
}

/** Mails a failed email reply again; the message comes back queued. */
export function useRetryDelivery(conversationId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (messageId: number) => endpoints.retryDelivery(conversationId, messageId),
    onSuccess: ({ message }) => replaceMessage(client, message),
    onError: (error) => showError(`Couldn’t retry sending the email: ${errorMessage(error)}`),
  });
}
