import type { DeliveryRow, DeliveryStatus } from './schema.js';
import type { Tx } from './transaction.js';

// How the mailing of each message stands (migration 0005). Written only by the inbox
// commands: `queued` in the transaction that plans the job, then what the sender reports.

export function findDelivery(tx: Tx, messageId: number): Promise<DeliveryRow | undefined> {
  return tx.selectFrom('message_deliveries').selectAll().where('messageId', '=', messageId).executeTakeFirst();
}

export async function findDeliveries(tx: Tx, messageIds: readonly number[]): Promise<Map<number, DeliveryRow>> {
  const found = new Map<number, DeliveryRow>();
  if (messageIds.length === 0) return found;
  const rows = await tx
    .selectFrom('message_deliveries')
    .selectAll()
    .where('messageId', 'in', [...messageIds])
    .execute();
  for (const row of rows) found.set(Number(row.messageId), row);
  return found;
}

/** Queues the delivery of these messages; one already tracked is queued again, its attempts kept. Answers the rows as they are now. */
export async function queueDeliveries(tx: Tx, deliveries: readonly { messageId: number; conversationId: number }[], now: number): Promise<DeliveryRow[]> {
  if (deliveries.length === 0) return [];
  return tx
    .insertInto('message_deliveries')
    .values(deliveries.map((d) => ({ ...d, status: 'queued' as const, error: null, attempts: 0, updatedAt: now })))
    .onConflict((oc) => oc.column('messageId').doUpdateSet({ status: 'queued', error: null, updatedAt: now }))
    .returningAll()
    .execute();
}

/** Records how mailing a message stands now. */
export async function saveDelivery(
  tx: Tx,
  delivery: { messageId: number; conversationId: number; status: DeliveryStatus; error: string | null; attempts: number },
  now: number,
): Promise<void> {
  const { status, error, attempts } = delivery;
  await tx
    .insertInto('message_deliveries')
    .values({ ...delivery, updatedAt: now })
    .onConflict((oc) => oc.column('messageId').doUpdateSet({ status, error, attempts, updatedAt: now }))
    .execute();
}

export async function deleteDelivery(tx: Tx, messageId: number): Promise<void> {
  await tx.deleteFrom('message_deliveries').where('messageId', '=', messageId).execute();
}
