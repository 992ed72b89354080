import { createRandom } from '../src/demo/random.js';
import { FIRST_NAMES, LAST_NAMES, type Vocabulary } from './vocabulary.js';

// Raw mails for the SMTP bench, every one exactly `bytes` long: customers who write, and
// some who write again in the same thread (In-Reply-To, References, a quoted parent), so
// the pipeline files both new conversations and replies. Each sender writes at most three
// mails, well under the flood limit, and every round has senders of its own.

export type BenchMail = { from: string; raw: string };

export type MailBatch = {
  mails: BenchMail[];
  /** Mails that start a thread (a new conversation); the rest are replies within one. */
  threads: number;
};

const DOMAIN = 'customers.bench.test';
/** Thread lengths in turn: half the mails start a conversation, half reply. */
const THREAD_LENGTHS = [1, 2, 3];

function wrap(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * `count` mails to `to`, ordered so every reply comes long after its parent (all first
 * mails, then all second ones, then the third): with a few connections in parallel a
 * reply never overtakes the mail it answers, as in real life.
 */
export function benchMails(options: { count: number; bytes: number; to: string; round: string; seed: number; vocabulary: Vocabulary }): MailBatch {
  const { count, bytes, to, round, vocabulary } = options;
  const random = createRandom(options.seed);
  type Thread = { name: string; address: string; subject: string; length: number };
  const threads: Thread[] = [];
  for (let planned = 0; planned < count; ) {
    const i = threads.length;
    const length = Math.min(THREAD_LENGTHS[i % THREAD_LENGTHS.length]!, count - planned);
    const first = FIRST_NAMES[random.int(0, FIRST_NAMES.length - 1)]!;
    const last = LAST_NAMES[random.int(0, LAST_NAMES.length - 1)]!;
    const subject = vocabulary.sentence(random, random.int(3, 7));
    threads.push({
      name: `${first} ${last}`,
      address: `${first}.${last}.${round}-${i}@${DOMAIN}`.toLowerCase(),
      subject: subject[0]!.toUpperCase() + subject.slice(1),
      length,
    });
    planned += length;
  }
  const id = (thread: number, k: number) => `<${round}.${thread}.${k}@${DOMAIN}>`;
  const bodies = new Map<string, string[]>();
  const mails: BenchMail[] = [];
  for (let k = 0; k < Math.max(...THREAD_LENGTHS); k++) {
    threads.forEach((t, i) => {
      if (k >= t.length) return;
      const parents = Array.from({ length: k }, (_, j) => id(i, j));
      const headers = [
        `From: ${t.name} <${t.address}>`,
        `To: Support <${to}>`,
        `Subject: ${k === 0 ? t.subject : `Re: ${t.subject}`}`,
        `Date: ${new Date().toUTCString()}`,
        `Message-ID: ${id(i, k)}`,
        ...(k > 0 ? [`In-Reply-To: ${parents[parents.length - 1]}`, `References: ${parents.join(' ')}`] : []),
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
      ];
      const head = `${headers.join('\r\n')}\r\n\r\n`;
      // A reply says something new, then quotes its parent as mail clients do.
      const quote = k > 0 ? ['', `On ${new Date().toUTCString()}, ${t.name} <${t.address}> wrote:`, ...bodies.get(id(i, k - 1))!.map((l) => `> ${l}`)] : [];
      const fresh: string[] = [];
      let size = head.length + quote.reduce((s, l) => s + l.length + 2, 0);
      while (size < bytes) {
        const lines = wrap(vocabulary.sentence(random, random.int(8, 24)) + '.');
        fresh.push(...lines, '');
        size += lines.reduce((s, l) => s + l.length + 2, 2);
      }
      bodies.set(id(i, k), fresh.slice(0, 12));
      const text = `${head}${[...fresh, ...quote].join('\r\n')}\r\n`;
      // Cut to exactly the size (the quote loses its tail), ending with a line break.
      mails.push({ from: t.address, raw: `${text.slice(0, bytes - 2).replace(/\r$/, ' ')}\r\n` });
    });
  }
  return { mails, threads: threads.length };
}
