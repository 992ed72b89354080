import { type Kysely, sql } from 'kysely';

// What a chat visitor told us (or their verified identity says), kept on the visitor's
// own row: the widget answers with these, never with the stored name of the customer an
// address belongs to, which may be someone else's (issue 13).

export function chatVisitorDetailsMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('chat_visitors').addColumn('name', 'text').execute();
    await db.schema.alterTable('chat_visitors').addColumn('email', 'text').execute();
    // Earlier visitors typed an address to get their customer, so that address is theirs to
    // see again; a customer's name was not necessarily typed by them, except on the made-up
    // customer of an anonymous visitor, whose name only that visitor could set.
    await sql`
      UPDATE chat_visitors SET email = (
        SELECT u.email FROM users u
        WHERE u.id = chat_visitors."customerId" AND u.role = 'customer' AND u.email NOT LIKE '%@visitors.invalid'
      )`.execute(db);
    await sql`
      UPDATE chat_visitors SET name = (
        SELECT u.name FROM users u
        WHERE u.id = chat_visitors."customerId" AND u.email LIKE '%@visitors.invalid' AND u.name NOT LIKE 'Visitor %'
      )`.execute(db);
  }
  return { up };
}
