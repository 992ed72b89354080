import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { LocalAttachmentStorage } from '../src/attachments/index.js';
import { type EmailChannel, startEmailChannel } from '../src/channels/email/index.js';
import { MailSpool } from '../src/channels/email/spool.js';
import { loadConfig } from '../src/config.js';
import { EventBus } from '../src/inbox/bus.js';
import { createInboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import { type BareSmtp, startBareSmtp } from './smtp-bare.js';
import { benchMails, type MailBatch } from './smtp-mails.js';
import { type IngestRate, printSmtpReport, type RoundFigures, type SmtpBenchResult } from './smtp-report.js';
import { type MailSender, type SendFigures, startMailSender } from './smtp-sender.js';
import { type BenchTarget, openTarget, UsageError, wholeNumber } from './target.js';
import { epochNow } from './threads.js';
import { createVocabulary } from './vocabulary.js';

// `npm run bench:smtp [-- options]`: mails per second through the email channel's real
// SMTP listener until each is a stored message in the inbox, against a bare smtp-server
// that discards what it reads (the target's baseline) and one that only makes each mail
// durable as our intake does, in alternating rounds of the same run. See bench/README.md.

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '4' },
    bytes: { type: 'string', default: '5120' },
    warmup: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const HELP = `npm run bench:smtp -- [options]
  --mails N         mails sent to each server, in two rounds of N/2 (default 2000)
  --connections C   parallel SMTP connections of the sending pool (default 4)
  --bytes B         size of every mail, headers included (default 5120)
  --warmup W        untimed mails sent to each server first (default 100)
  --seed X          mail generator seed (default 1)
  --json            also print all figures as one JSON object on the last line
PostgreSQL: set DATABASE_URL to a server; the bench creates and drops onethread_bench_<random> there.`;

const count = (name: keyof typeof args) => wholeNumber(name, args[name]);
const log = (line: string) => process.stderr.write(`${line}\n`);

const SUPPORT = 'support@bench.test';
/** The rounds, mirrored so that a drift in the machine's load over the run weighs on all alike. */
const ROUNDS = ['bare', 'durable', 'ours', 'ours', 'durable', 'bare'] as const;
type Baseline = Exclude<(typeof ROUNDS)[number], 'ours'>;
/** How often the database is asked how many mails are filed: the error it adds to a round's time. */
const POLL_MS = 20;
const ROUND_LIMIT_MS = 10 * 60_000;

/** Mails the pipeline has finished with (filed, failed or ignored), by the channel's own table. */
async function finishedMails(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from email_inbound where status <> 'pending'`.execute(store.db);
  return Number(rows[0]!.n);
}

type Servers = { store: Store; channel: EmailChannel; baselines: Record<Baseline, BareSmtp>; sender: MailSender; connections: number };

function rate(figures: SendFigures, seconds: number): IngestRate {
  return { mails: figures.accepted, seconds, perSecond: figures.accepted / seconds, refused: figures.refused };
}

async function sendTo(servers: Servers, port: number, batch: MailBatch): Promise<SendFigures> {
  const figures = await servers.sender.send({ port, connections: servers.connections, to: SUPPORT, mails: batch.mails });
  if (figures.refused > 0) log(`  ${figures.refused} mails refused: ${figures.firstError}`);
  return figures;
}

/** A baseline's round: from the first mail handed to the pool until the last 250. */
async function baselineRound(servers: Servers, baseline: Baseline, batch: MailBatch): Promise<IngestRate> {
  const figures = await sendTo(servers, servers.baselines[baseline].port, batch);
  return rate(figures, (figures.finishedAt - figures.startedAt) / 1000);
}

type OursRound = IngestRate & { acceptedSeconds: number; mainThreadMs: number };

/** Our round: from the first mail handed to the pool until the last one is filed in the inbox. */
async function oursRound(servers: Servers, batch: MailBatch): Promise<OursRound> {
  const { store, channel } = servers;
  // Everything of ours but the sender (its own thread) and the SQLite checkpoints runs on this thread.
  const busy = performance.eventLoopUtilization();
  const before = await finishedMails(store);
  const round: { sent: SendFigures | null; failed: unknown } = { sent: null, failed: null };
  const sending = sendTo(servers, channel.smtpPort!, batch).then(
    (figures) => (round.sent = figures),
    (error: unknown) => (round.failed = error),
  );
  const deadline = Date.now() + ROUND_LIMIT_MS;
  // Until the sender is done, every mail is expected; then only those it got a 250 for.
  while ((await finishedMails(store)) < before + (round.sent?.accepted ?? batch.mails.length)) {
    if (round.failed) throw round.failed;
    if (Date.now() > deadline) throw new Error(`the pipeline did not file ${batch.mails.length} mails within ${ROUND_LIMIT_MS / 60_000} minutes`);
    await sleep(POLL_MS);
  }
  const filedAt = epochNow();
  const mainThreadMs = performance.eventLoopUtilization(busy).active;
  await sending;
  if (!round.sent) throw round.failed;
  const sent = round.sent;
  return { ...rate(sent, (filedAt - sent.startedAt) / 1000), acceptedSeconds: (sent.finishedAt - sent.startedAt) / 1000, mainThreadMs };
}

function combine(rounds: RoundFigures[]): IngestRate {
  const mails = rounds.reduce((s, r) => s + r.mails, 0);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  return { mails, seconds, perSecond: mails / seconds, refused: rounds.reduce((s, r) => s + r.refused, 0) };
}

async function outcome(store: Store, expected: { conversations: number; messages: number }): Promise<SmtpBenchResult['outcome']> {
  const { rows } = await sql<{ status: string; n: number | string }>`select status, count(*) as n from email_inbound group by status`.execute(store.db);
  const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  // The bench database holds nothing but these mails' conversations.
  const conversations = await store.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const messages = await store.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    processed: of('processed'),
    failed: of('failed'),
    ignored: of('ignored'),
    conversations: Number(conversations.n),
    expectedConversations: expected.conversations,
    messages: Number(messages.n),
    expectedMessages: expected.messages,
  };
}

async function main(): Promise<void> {
  if (args.help) return console.log(HELP);
  const mails = count('mails');
  const connections = count('connections');
  const bytes = count('bytes');
  const warmup = count('warmup');
  const seed = count('seed');
  if (mails < 2 || connections < 1) throw new UsageError('--mails must be at least 2 and --connections at least 1');
  if (bytes < 1024) throw new UsageError('--bytes must be at least 1024 (the headers alone take about 400)');

  // Every batch is made before anything is timed; each round has senders of its own.
  const vocabulary = createVocabulary();
  const batch = (round: string, n: number, i: number) => benchMails({ count: n, bytes, to: SUPPORT, round, seed: seed * 100 + i, vocabulary });
  const warmups = { bare: batch('warm-bare', warmup, 0), durable: batch('warm-durable', warmup, 9), ours: batch('warm-ours', warmup, 1) };
  const perRound = Math.floor(mails / 2);
  const batches = ROUNDS.map((server, i) => batch(`r${i}-${server}`, perRound, i + 2));

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-smtp-bench-'));
  let target: BenchTarget | null = null;
  let channel: EmailChannel | null = null;
  const baselines: Partial<Record<Baseline, BareSmtp>> = {};
  const sender = startMailSender();
  try {
    target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: undefined, reuse: false });
    const { store } = target;
    log(`database: ${target.description}; mail data: ${dataDir}`);
    // Configured as the app configures it from its environment, listener on loopback.
    const config = loadConfig({
      DATA_DIR: dataDir,
      SUPPORT_ADDRESSES: SUPPORT,
      SMTP_LISTEN_PORT: '0',
      EMAIL_REPLY_SECRET: 'bench-reply-secret-0123456789abcdef',
    });
    const inbox = createInboxContext({ store, bus: new EventBus(), reopenClosedOnCustomerReply: config.reopenClosedOnCustomerReply });
    channel = await startEmailChannel({
      store,
      inbox,
      dataDir: config.dataDir,
      config: { ...config.email!, smtpListenHost: '127.0.0.1' },
      attachments: new LocalAttachmentStorage(path.join(config.dataDir, 'attachments')),
      log: (message, details) => log(`email: ${message} ${details ? JSON.stringify(details) : ''}`),
    });
    baselines.bare = await startBareSmtp();
    baselines.durable = await startBareSmtp({ spool: new MailSpool(path.join(dataDir, 'durable-baseline')) });
    const servers: Servers = { store, channel, baselines: { bare: baselines.bare, durable: baselines.durable }, sender, connections };

    log(`warm-up: ${warmup} mails to each server…`);
    if (warmup > 0) {
      await baselineRound(servers, 'bare', warmups.bare);
      await baselineRound(servers, 'durable', warmups.durable);
      await oursRound(servers, warmups.ours);
    }
    const rounds: RoundFigures[] = [];
    // Ours until the last 250, from the sender's side: what intake alone would manage.
    let acceptedSeconds = 0;
    let mainThreadMs = 0;
    for (const [i, server] of ROUNDS.entries()) {
      let figures: IngestRate;
      if (server !== 'ours') figures = await baselineRound(servers, server, batches[i]!);
      else {
        const ours = await oursRound(servers, batches[i]!);
        acceptedSeconds += ours.acceptedSeconds;
        mainThreadMs += ours.mainThreadMs;
        figures = ours;
      }
      rounds.push({ server, mails: figures.mails, seconds: figures.seconds, perSecond: figures.perSecond, refused: figures.refused });
      log(`  round ${i + 1} of ${ROUNDS.length}, ${server}: ${Math.round(figures.perSecond)} mails/s (${figures.mails} in ${figures.seconds.toFixed(2)} s)`);
    }
    const bareRate = combine(rounds.filter((r) => r.server === 'bare'));
    const durableRate = combine(rounds.filter((r) => r.server === 'durable'));
    const oursRate = combine(rounds.filter((r) => r.server === 'ours'));
    const oursBatches = [warmups.ours, ...batches.filter((_, i) => ROUNDS[i] === 'ours')];
    const result: SmtpBenchResult = {
      database: store.dialect,
      location: target.description,
      bytesPerMail: bytes,
      connections,
      target: { ratio: 0.25 },
      rounds,
      bare: bareRate,
      durable: durableRate,
      ours: { ...oursRate, acceptedPerSecond: oursRate.mails / acceptedSeconds, mainThreadMsPerMail: mainThreadMs / oursRate.mails },
      ratio: oursRate.perSecond / bareRate.perSecond,
      durableRatio: oursRate.perSecond / durableRate.perSecond,
      outcome: await outcome(store, {
        conversations: oursBatches.reduce((s, b) => s + b.threads, 0),
        messages: oursBatches.reduce((s, b) => s + b.mails.length, 0),
      }),
    };
    printSmtpReport(result, (line) => console.log(line));
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    await channel?.stop();
    await baselines.bare?.close();
    await baselines.durable?.close();
    await sender.close();
    await target?.finish(false);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench:smtp: ${error.message}` : error);
  process.exitCode = 1;
});
