import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { MailSpool } from '../src/channels/email/spool.js';

// The SMTP bench's baselines: the same library our listener is built on, configured like
// it (no AUTH, no STARTTLS, no reverse lookup). The bare one's onData reads the mail to
// the end and throws it away: the cost of SMTP itself on this machine. Given a spool, it
// instead makes every mail durable exactly as our intake does before its 250 (the file
// written and fsynced, renamed into the spool, the directory fsynced; spool.ts), and
// nothing more: what the durability the issue asks for costs on its own.

export type BareSmtp = { port: number; close(): Promise<void> };

export async function startBareSmtp(options: { spool?: MailSpool } = {}): Promise<BareSmtp> {
  const { spool } = options;
  const server = new SMTPServer({
    banner: 'bare',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, callback) {
      if (!spool) {
        stream.on('end', () => callback());
        stream.resume();
        return;
      }
      const envelope = {
        from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      spool
        .receive(stream, { maxBytes: Infinity, origin: 'smtp', envelope })
        .then((received) => spool.commit(received, Date.now()))
        .then(
          () => callback(),
          (error: Error) => callback(error),
        );
    },
  });
  await spool?.init();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
