import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// The SMTP bench's baseline: the same library our listener is built on, configured like
// it (no AUTH, no STARTTLS, no reverse lookup), whose onData reads the mail to the end
// and throws it away. What is left is the cost of SMTP itself on this machine.

export type BareSmtp = { port: number; close(): Promise<void> };

export async function startBareSmtp(): Promise<BareSmtp> {
  const server = new SMTPServer({
    banner: 'bare',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
