import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { IngestLog, IngestPipeline } from './ingest.js';
import type { SupportAddresses } from './reply-address.js';

// The built-in SMTP listener: the support addresses' MX, or where a mail provider
// forwards to. It accepts mail only for the support addresses and their +tag reply
// addresses (anything else: 550 at RCPT), streams DATA into the spool and says 250 only
// once the mail is durable. Too large: 552 after the whole message was read. Anything
// going wrong while storing: 451, so the sender keeps the mail and tries again.

export type SmtpListenerOptions = {
  pipeline: IngestPipeline;
  support: SupportAddresses;
  maxBytes: number;
  port: number;
  host?: string;
  /** PEM files for STARTTLS; without them STARTTLS is not offered. */
  tls?: { keyFile: string; certFile: string } | null;
  /** The name in the greeting; the host name by default. */
  name?: string;
  log?: IngestLog;
};

export type SmtpListener = { port: number; close(): Promise<void> };

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const { pipeline, support, maxBytes } = options;
  const log = options.log ?? ((message, details) => console.error(`email: ${message}`, details ?? ''));
  const tls = options.tls ? { key: await readFile(options.tls.keyFile), cert: await readFile(options.tls.certFile) } : null;

  const server = new SMTPServer({
    name: options.name ?? os.hostname(),
    banner: 'Onethread',
    size: maxBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideSTARTTLS: !tls,
    ...(tls ?? {}),
    logger: false,
    // A PTR lookup per connection can stall intake for seconds and decides nothing here.
    disableReverseLookup: true,
    // Stopping waits this long for open sessions before cutting them.
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      if (support.match(address.address)) callback();
      else callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const envelope = {
        from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      pipeline.accept(stream, envelope, 'smtp').then(
        (result) => {
          if (result.status === 'too_large') {
            callback(smtpError(552, `5.3.4 message exceeds the limit of ${maxBytes} bytes`));
          } else if (result.status === 'duplicate') callback(null, `2.0.0 already received (${result.id ?? 'same mail'})`);
          else callback(null, `2.0.0 queued as ${result.id}`);
        },
        (error: unknown) => {
          log('could not store an incoming mail; answered 451', { error: error instanceof Error ? error.message : String(error) });
          // The stream may still be flowing; smtp-server reads out the rest before it answers.
          stream.resume();
          callback(smtpError(451, '4.3.0 temporary failure storing the message, try again later'));
        },
      );
    },
  });
  server.on('error', (error) => log('SMTP listener error', { error: error.message }));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
