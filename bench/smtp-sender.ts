import { connect } from 'node:net';
import { parentPort } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import type { BenchMail } from './smtp-mails.js';
import { epochNow, startTsxWorker } from './threads.js';

// The sending mail servers of the SMTP bench: nodemailer's pooled SMTP transport, on a
// thread of its own so composing and sending do not take turns with the server being
// measured on one event loop. Times are epoch milliseconds (threads.ts epochNow).

export type SendFigures = {
  /** When the first mail was handed to the pool, and when the last one was answered. */
  startedAt: number;
  finishedAt: number;
  /** Mails the server answered 250. */
  accepted: number;
  refused: number;
  firstError: string | null;
};

type SendRequest = { port: number; connections: number; to: string; mails: BenchMail[] };
type FromWorker = ({ type: 'sent' } & SendFigures) | { type: 'failed'; message: string };

export type MailSender = {
  /** Sends every mail over `connections` pooled connections; resolves when all are answered. */
  send(request: SendRequest): Promise<SendFigures>;
  close(): Promise<void>;
};

export function startMailSender(): MailSender {
  const worker = startTsxWorker(import.meta.url);
  // One send at a time: the bench's rounds run one after another.
  let pending: { resolve: (figures: SendFigures) => void; reject: (error: Error) => void } | null = null;
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'sent') pending?.resolve(message);
    else pending?.reject(new Error(message.message));
    pending = null;
  });
  worker.on('error', (error) => pending?.reject(error));
  return {
    send(request) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(request);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

// ---- the worker's side ----

async function send({ port, connections, to, mails }: SendRequest): Promise<SendFigures> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    // The default (100) would reconnect mid-round; a sending server keeps its connections.
    maxMessages: Infinity,
    // nodemailer writes a mail's terminating "." on its own; with Nagle's algorithm on,
    // that small write waits for the server's delayed ACK (40 ms on Linux), which would
    // cap every connection at about 20 mails/s whatever the server does. An MTA sends it
    // with the data, so the bench's sockets send at once.
    getSocket: (_options, callback) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => {
        socket.off('error', callback);
        callback(null, { connection: socket });
      });
      socket.once('error', callback);
    },
  });
  let accepted = 0;
  let refused = 0;
  let firstError: string | null = null;
  const startedAt = epochNow();
  await Promise.all(
    mails.map((mail) =>
      transport.sendMail({ envelope: { from: mail.from, to: [to] }, raw: mail.raw }).then(
        () => accepted++,
        (error: Error) => {
          refused++;
          firstError ??= error.message;
        },
      ),
    ),
  );
  const finishedAt = epochNow();
  transport.close();
  return { startedAt, finishedAt, accepted, refused, firstError };
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: SendRequest) => {
    send(request).then(
      (figures) => port.postMessage({ type: 'sent', ...figures } satisfies FromWorker),
      (error: Error) => port.postMessage({ type: 'failed', message: error.message } satisfies FromWorker),
    );
  });
}
