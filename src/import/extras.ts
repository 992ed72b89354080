import { exactMessageId } from '../channels/email/message-ids.js';
import { importedTeam, keepImportedDetails, recordImportedRating } from '../inbox/commands/imported.js';
import type { Unit } from '../inbox/commands/unit.js';
import { updateConversation } from '../inbox/commands.js';
import { recordMessageIds } from '../store/email.js';
import type { ImportedConversation } from './conversation.js';

// What an imported conversation carries beyond its messages (issue 20, Zendesk), written in
// its unit after the messages, so a dry run rolls it back with them: its team (made on first
// use: a group there is a team here), its custom fields, its customer's company, the
// customer's satisfaction rating, and the
// original mails' Message-IDs — registered as received mail, so a customer answering an old
// mail after the move threads into this conversation (channels/email/threading.ts).

export type Written = { conversationId: number; messageIdsBySource: ReadonlyMap<string, number> };

export async function writeExtras(unit: Unit, input: ImportedConversation, written: Written): Promise<void> {
  const { conversationId } = written;
  const now = unit.ctx.clock();
  if (input.team) {
    const teamId = await importedTeam(unit, input.team);
    await updateConversation(unit, { conversation: conversationId, teamId, by: { system: 'import' } });
  }
  await keepImportedDetails(unit, { conversationId, customFields: input.customFields, company: input.company });
  await recordImportedMessageIds(unit, input, written);
  if (input.csat) await recordImportedRating(unit, { conversationId, ...input.csat, at: input.endedAt ?? now });
}

/** The original mails' Message-IDs of `input.messages`, registered as received mail. */
export async function recordImportedMessageIds(unit: Unit, input: Pick<ImportedConversation, 'messages'>, written: Written): Promise<void> {
  const { conversationId } = written;
  const ids = input.messages.flatMap((m) =>
    (m.messageIds ?? []).flatMap((raw) => {
      // Spelt as inbound mail's are, so the threading lookup finds them.
      const exactId = exactMessageId(raw);
      const messageRowId = written.messageIdsBySource.get(m.sourceId);
      return exactId && messageRowId !== undefined
        ? [{ messageId: exactId.toLowerCase(), exactId, conversationId, messageRowId, direction: 'in' as const }]
        : [];
    }),
  );
  await recordMessageIds(unit.tx, ids, unit.ctx.clock());
}
