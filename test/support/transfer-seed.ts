import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalAttachmentStorage, storeAttachment } from '../../src/attachments/index.js';
import { createEmailChannel } from '../../src/channels/email/index.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { EventBus } from '../../src/inbox/bus.js';
import { addMessage, createConversation, mergeConversations } from '../../src/inbox/commands.js';
import { createInboxContext, type InboxContext } from '../../src/inbox/context.js';
import { getConversations, searchConversations } from '../../src/inbox/queries.js';
import { deleteArticle } from '../../src/kb/commands.js';
import { openSqlite, type Store } from '../../src/store/database.js';
import { findInbound } from '../../src/store/email.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { rawMail, SUPPORT, testEmailConfig } from './email.js';

// A SQLite installation (DATA_DIR with onethread.db and attachments/) holding varied data
// for the transfer tests: the demo (every channel, teams, KB, events, counters), plus an
// attachment, a conversation merged into a newer one (a reference to a later row), a
// deleted article (a sequence past the largest id) and a received mail with its raw file.

export const SEARCH_TERMS = ['invoice', 'password', 'refund', 'export'];

export function inbox(store: Store): InboxContext {
  return createInboxContext({ store, bus: new EventBus(), sideEffects: [] });
}

export async function seedInstallation(): Promise<{ dataDir: string; store: Store; storage: LocalAttachmentStorage; mailRoot: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-transfer-'));
  const store = openSqlite(path.join(dataDir, 'onethread.db'));
  await migrateToLatest(store);
  const storage = new LocalAttachmentStorage(path.join(dataDir, 'attachments'));
  await seedDemo({ store, conversations: 40, seed: 7, now: Date.UTC(2026, 5, 1), firstAdmin: null });
  const ctx = inbox(store);
  const agent = await store.db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').executeTakeFirstOrThrow();
  const file = await storeAttachment(storage, Buffer.from('%PDF-1.4\nthe invoice for June\n'), { name: 'invoice.pdf' });
  const older = await createConversation(ctx, {
    from: { customerEmail: 'mira@example.test' },
    channel: 'email',
    subject: 'Invoice copy',
    body: 'Can I get my invoice?',
  });
  await addMessage(ctx, { conversation: older.conversation.id, from: { userId: agent.id }, body: 'Here is the invoice.', attachments: [file] });
  const newer = await createConversation(ctx, {
    from: { customerEmail: 'mira@example.test' },
    channel: 'email',
    subject: 'Invoice again',
    body: 'And the refund?',
  });
  await mergeConversations(ctx, { source: older.conversation.id, into: newer.conversation.id, by: { userId: agent.id } });
  // The newest article deleted: its id is never given again, on either database.
  const article = await store.db.selectFrom('kb_articles').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  await deleteArticle({ store, clock: Date.now }, article.id);
  await receiveMail(store, ctx, dataDir);
  return { dataDir, store, storage, mailRoot: path.join(dataDir, 'mail') };
}

/** A mail received through the email channel as the server does: a row, and its raw file kept in DATA_DIR/mail. */
async function receiveMail(store: Store, ctx: InboxContext, dataDir: string): Promise<void> {
  const channel = await createEmailChannel({ store, inbox: ctx, dataDir, config: { ...testEmailConfig(), smtpListenPort: null }, log: () => undefined });
  await channel.start();
  try {
    const accepted = await channel.pipeline.accept(
      [rawMail({ subject: 'Mailed in before the move', body: 'The export keeps me.' })],
      { from: 'carol@example.org', to: [SUPPORT] },
      'smtp',
    );
    if (accepted.status !== 'accepted') throw new Error(`the seed's mail was not accepted: ${accepted.status}`);
    for (const deadline = Date.now() + 15_000; ; ) {
      const row = await findInbound(store.db, accepted.id);
      if (row && row.status !== 'pending') break;
      if (Date.now() > deadline) throw new Error('the seed mail was not processed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await channel.stop();
  }
}

/** What a team sees: the conversation list and what each search term finds. */
export async function visible(store: Store): Promise<{ list: string[]; search: Record<string, string[]> }> {
  const ctx = inbox(store);
  const list = (await getConversations(ctx, { limit: 100 })).items.map((c) => c.number);
  const search: Record<string, string[]> = {};
  for (const term of SEARCH_TERMS) search[term] = (await searchConversations(ctx, term, { limit: 100 })).map((r) => r.conversation.number);
  return { list, search };
}
