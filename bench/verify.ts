import { sql } from 'kysely';
import { countKeys, tagRowNames } from '../src/inbox/rules.js';
import type { Store } from '../src/store/database.js';
import type { Channel, ConversationType, Priority, Status } from '../src/store/schema.js';

// `--verify`: recomputes every derived row from the conversations and messages and
// compares, so a figure is never measured on a database the commands could not have
// produced. Run after the load and again after the writes (bulk-loaded rows then
// changed by real commands must still agree).

const CHUNK = 20_000;

export async function verifyConsistency(store: Store): Promise<string[]> {
  const problems: string[] = [];
  const db = store.db;
  const expectedCounts = new Map<string, number>();
  const range = await db
    .selectFrom('conversations')
    .select((eb) => [eb.fn.min<number>('id').as('lo'), eb.fn.max<number>('id').as('hi'), eb.fn.max<number>('number').as('maxNumber')])
    .executeTakeFirstOrThrow();
  const lo = Number(range.lo ?? 0);
  const hi = Number(range.hi ?? -1);

  for (let start = lo; start <= hi; start += CHUNK) {
    const end = start + CHUNK - 1;
    const rows = await db
      .selectFrom('conversations')
      .select(['id', 'status', 'assignedTo', 'teamId', 'channel', 'type', 'priority', 'labels', 'tags', 'lastMessageAt', 'messageCount'])
      .where('id', '>=', start)
      .where('id', '<=', end)
      .execute();
    const tagRows = await db.selectFrom('conversation_tags').selectAll().where('conversationId', '>=', start).where('conversationId', '<=', end).execute();
    const actualTags = new Set(tagRows.map((t) => `${t.conversationId}|${t.name}|${t.status}|${t.lastMessageAt}`));
    let expectedTagRows = 0;
    for (const row of rows) {
      const labels = JSON.parse(row.labels) as string[];
      const tags = JSON.parse(row.tags) as string[];
      const countable = {
        status: row.status as Status,
        assignedTo: row.assignedTo === null ? null : Number(row.assignedTo),
        teamId: row.teamId === null ? null : Number(row.teamId),
        channel: row.channel as Channel,
        type: row.type as ConversationType,
        priority: row.priority as Priority,
        labels,
        tags,
      };
      for (const key of countKeys(countable)) expectedCounts.set(key, (expectedCounts.get(key) ?? 0) + 1);
      for (const name of tagRowNames(labels, tags)) {
        expectedTagRows++;
        if (!actualTags.has(`${row.id}|${name}|${row.status}|${row.lastMessageAt}`)) problems.push(`conversation ${row.id}: tag row ${name} missing or stale`);
      }
    }
    if (tagRows.length !== expectedTagRows) problems.push(`conversations ${start}–${end}: ${tagRows.length} tag rows, expected ${expectedTagRows}`);

    // The columns commands derive from messages, against the messages themselves.
    const last = (senders: string) =>
      sql`(select max(m."createdAt") from messages m where m."conversationId" = c.id and m."isInternal" = 0 and m."senderType" in (${sql.raw(senders)}))`;
    const drift = await sql<{ id: number }>`
      select c.id from conversations c
      where c.id between ${start} and ${end}
        and (c."messageCount" <> (select count(*) from messages m where m."conversationId" = c.id)
          or c."lastMessageAt" <> ${last(`'customer', 'admin', 'bot'`)}
          or c."lastCustomerMessageAt" is distinct from ${last(`'customer'`)}
          or c."lastReplyAt" is distinct from ${last(`'admin'`)}
          or c."firstMessageAt" <> (select min(m."sentAt") from messages m where m."conversationId" = c.id)
          or (c.status = 'resolved' and (c."resolvedAt" is null or c."closedAt" is not null))
          or (c.status = 'closed' and c."closedAt" is null)
          or (c.status in ('open', 'pending') and (c."resolvedAt" is not null or c."closedAt" is not null)))
      limit 5`.execute(db);
    for (const row of drift.rows) problems.push(`conversation ${row.id}: a column derived from its messages or status disagrees`);
    if (problems.length > 50) return problems;
  }

  // The conversations' counters; the notification counters (notifications:<user>) have their own recount.
  const counters = await db.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'not like', 'notifications:%').execute();
  const actual = new Map(counters.map((c) => [c.key, Number(c.n)]));
  for (const key of new Set([...actual.keys(), ...expectedCounts.keys()])) {
    const want = expectedCounts.get(key) ?? 0;
    const have = actual.get(key) ?? 0;
    if (want !== have) problems.push(`counter ${key}: ${have}, expected ${want}`);
  }

  const sequence = await db.selectFrom('sequences').select('value').where('name', '=', 'conversation_number').executeTakeFirstOrThrow();
  if (Number(sequence.value) < Number(range.maxNumber ?? 0))
    problems.push(`sequence conversation_number ${sequence.value} is behind max number ${range.maxNumber}`);

  if (store.dialect === 'sqlite') {
    // With rank 1, FTS5 also compares its index with the content table row by row.
    for (const table of ['messages_fts', 'conversations_fts']) {
      try {
        await sql`insert into ${sql.table(table)}(${sql.table(table)}, rank) values ('integrity-check', 1)`.execute(db);
      } catch (error) {
        problems.push(`${table}: ${(error as Error).message}`);
      }
    }
  } else {
    const unindexed = await sql<{ n: number }>`select count(*) as n from messages where search is null`.execute(db);
    if (Number(unindexed.rows[0]?.n) > 0) problems.push(`${unindexed.rows[0]?.n} messages without a search vector`);
  }
  return problems;
}
