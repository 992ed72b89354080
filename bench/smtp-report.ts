import { meets } from './report.js';

// The SMTP bench's report, in the inbox bench's layout. The target is printed for
// reference only: on a shared machine a miss is something to re-measure, not a failure.

export type IngestRate = { mails: number; seconds: number; perSecond: number; refused: number };

export type RoundFigures = IngestRate & { server: 'bare' | 'durable' | 'ours' };

export type SmtpBenchResult = {
  database: 'sqlite' | 'postgres';
  location: string;
  bytesPerMail: number;
  connections: number;
  target: { ratio: number };
  rounds: RoundFigures[];
  /** A bare smtp-server whose onData drains and discards: 250 after the last byte. */
  bare: IngestRate;
  /** The same, making each mail durable as our intake does (spool file fsynced, renamed, directory fsynced) before its 250. */
  durable: IngestRate;
  /** Ours, from the first mail sent until the last one is a stored message in the inbox. */
  ours: IngestRate & {
    /** Ours until the last 250 (the mail durable in the spool and its row inserted), processing still under way. */
    acceptedPerSecond: number;
    /** The server thread's busy time over our rounds (event-loop utilisation), per mail. */
    mainThreadMsPerMail: number;
  };
  /** ours.perSecond / bare.perSecond: the target's ratio. */
  ratio: number;
  /** ours.perSecond / durable.perSecond */
  durableRatio: number;
  /** What the pipeline made of every mail sent to it, warm-up included. */
  outcome: {
    processed: number;
    failed: number;
    ignored: number;
    conversations: number;
    expectedConversations: number;
    messages: number;
    expectedMessages: number;
  };
};

export function printSmtpReport(r: SmtpBenchResult, print: (line: string) => void): void {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  print('');
  print(`Onethread SMTP ingest bench — ${r.database}, ${n(r.bytesPerMail)}-byte mails, nodemailer pool of ${r.connections} connections`);
  print(`rounds: ${r.rounds.map((round) => `${round.server} ${n(round.perSecond)}/s`).join(', ')}`);
  print('');
  print(`throughput (target ours ≥ ${Math.round(r.target.ratio * 100)} % of bare)`);
  const refused = (rate: IngestRate) => (rate.refused > 0 ? `, ${n(rate.refused)} REFUSED` : '');
  print(`bare smtp-server, discards   ${n(r.bare.perSecond).padStart(7)} mails/s  (${n(r.bare.mails)} in ${r.bare.seconds.toFixed(2)} s${refused(r.bare)})`);
  print(
    `the same, spooling durably   ${n(r.durable.perSecond).padStart(7)} mails/s  (${n(r.durable.mails)} in ${r.durable.seconds.toFixed(2)} s${refused(r.durable)})`,
  );
  print(
    `ours, to a stored message    ${n(r.ours.perSecond).padStart(7)} mails/s  (${n(r.ours.mails)} in ${r.ours.seconds.toFixed(2)} s${refused(r.ours)}; every 250 at ${n(r.ours.acceptedPerSecond)} mails/s)`,
  );
  print(`ratio                        ${(r.ratio * 100).toFixed(1).padStart(7)} %        ${meets(r.ratio >= r.target.ratio)}`);
  print(`ours against durable only    ${(r.durableRatio * 100).toFixed(1).padStart(7)} %        (for reading, no target)`);
  print(`server thread busy per mail  ${r.ours.mainThreadMsPerMail.toFixed(2).padStart(7)} ms       (ours, everything but the sender and SQLite checkpoints)`);
  print('');
  const o = r.outcome;
  const check = (got: number, expected: number) => `${n(got)}${got === expected ? '' : ` (EXPECTED ${n(expected)})`}`;
  print(
    `pipeline outcome: ${n(o.processed)} processed, ${n(o.failed)} failed, ${n(o.ignored)} ignored; ` +
      `threading made ${check(o.conversations, o.expectedConversations)} conversations holding ${check(o.messages, o.expectedMessages)} messages`,
  );
}
