import { meets } from './report.js';

// The SMTP bench's report, in the inbox bench's layout. The target is printed for
// reference only: on a shared machine a miss is something to re-measure, not a failure.

export type IngestRate = { mails: number; seconds: number; perSecond: number; refused: number };

export type RoundFigures = IngestRate & { server: 'bare' | 'ours' };

export type SmtpBenchResult = {
  database: 'sqlite' | 'postgres';
  location: string;
  bytesPerMail: number;
  connections: number;
  target: { ratio: number };
  rounds: RoundFigures[];
  /** A bare smtp-server whose onData drains and discards: 250 after the last byte. */
  bare: IngestRate;
  /** Ours, from the first mail sent until the last one is a stored message in the inbox. */
  ours: IngestRate & {
    /** Ours until the last 250 (the mail durable in the spool and its row inserted), processing still under way. */
    acceptedPerSecond: number;
  };
  /** ours.perSecond / bare.perSecond */
  ratio: number;
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
  print(`ours, to a stored message    ${n(r.ours.perSecond).padStart(7)} mails/s  (${n(r.ours.mails)} in ${r.ours.seconds.toFixed(2)} s${refused(r.ours)}; every 250 at ${n(r.ours.acceptedPerSecond)} mails/s)`);
  print(`ratio                        ${(r.ratio * 100).toFixed(1).padStart(7)} %        ${meets(r.ratio >= r.target.ratio)}`);
  print('');
  const o = r.outcome;
  const check = (got: number, expected: number) => `${n(got)}${got === expected ? '' : ` (EXPECTED ${n(expected)})`}`;
  print(
    `pipeline outcome: ${n(o.processed)} processed, ${n(o.failed)} failed, ${n(o.ignored)} ignored; ` +
      `threading made ${check(o.conversations, o.expectedConversations)} conversations holding ${check(o.messages, o.expectedMessages)} messages`,
  );
}
