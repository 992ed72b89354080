import { notFound } from '../errors.js';
import { findCustomerRow } from '../store/customers.js';
import { transact } from '../store/transaction.js';
import { renameUser } from '../store/users.js';
import type { AccountsContext } from './context.js';
import { validName } from './users.js';

/**
 * An agent corrects a customer's name (one line, invisible characters removed). The
 * conversations keep the name they were opened under, as they do when customers rename
 * themselves: it is what the thread's mail said at the time.
 */
export async function renameCustomer(ctx: AccountsContext, customerId: number, name: string): Promise<void> {
  const clean = validName(name);
  await transact(ctx.store, async (tx) => {
    const row = await findCustomerRow(tx, customerId);
    if (!row) throw notFound('customer');
    if (row.name !== clean) await renameUser(tx, customerId, clean, ctx.clock());
  });
}
