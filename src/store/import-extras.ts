import { findTeamIdByName, insertTeam } from './teams.js';
import type { Tx } from './transaction.js';

// What an import keeps beyond conversations and messages (migration 0037): custom fields on
// the conversation, a customer's company, and the teams an old system's groups become.
// Written by the import commands only (inbox/commands/imported.ts), in the transaction of the conversation they belong to.

export async function setConversationCustomFields(tx: Tx, conversationId: number, fields: Record<string, unknown>): Promise<void> {
  await tx
    .updateTable('conversations')
    .set({ customFields: JSON.stringify(fields) })
    .where('id', '=', conversationId)
    .execute();
}

/** The company of the conversation's customer; a customer already in a company keeps it (the newest ticket does not win by accident of order). */
export async function setCustomerCompany(tx: Tx, conversationId: number, company: string): Promise<void> {
  const row = await tx.selectFrom('conversations').select('customerId').where('id', '=', conversationId).executeTakeFirstOrThrow();
  await tx.updateTable('users').set({ company }).where('id', '=', Number(row.customerId)).where('role', '=', 'customer').where('company', 'is', null).execute();
}

/** The team of this name, made (with no members) if there is none yet. */
export async function findOrInsertTeam(tx: Tx, name: string, now: number): Promise<number> {
  return (await findTeamIdByName(tx, name)) ?? (await insertTeam(tx, { name, description: 'Imported', now }));
}
