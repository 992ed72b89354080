import { createDecipheriv, createECDH, createPublicKey, type ECDH, hkdfSync, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A push service of the tests' own (RFC 8030), on 127.0.0.1: it accepts a push only when
// its VAPID JWT verifies (RFC 8292: ES256 over the key the request names, `aud` the
// endpoint's origin, not expired), and decrypts the aes128gcm body for the browser whose
// keys the test made (RFC 8291) — what a real browser's push service and the browser do.

/** A browser's subscription keys: a P-256 key pair and a 16-byte auth secret. */
export type BrowserKeys = { ecdh: ECDH; auth: Buffer; p256dh: string; authText: string };

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, p256dh: ecdh.getPublicKey().toString('base64url'), authText: auth.toString('base64url') };
}

export type ReceivedPush = {
  path: string;
  headers: IncomingMessage['headers'];
  /** The VAPID JWT's claims and the public key it was verified with. */
  jwt: { aud: string; exp: number; sub: string };
  vapidKey: string;
  body: Buffer;
};

export type PushService = {
  origin: string;
  /** A new endpoint on this service. */
  endpoint(name: string): string;
  /** What the service answers for an endpoint (default 201). */
  answer(name: string, status: number): void;
  received: ReceivedPush[];
  /** Requests it refused (a bad signature, a missing header): none in a passing test. */
  refused: string[];
  close(): Promise<void>;
};

export async function startPushService(): Promise<PushService> {
  const answers = new Map<string, number>();
  const received: ReceivedPush[] = [];
  const refused: string[] = [];
  let origin = '';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      try {
        const { jwt, key } = verifyVapid(String(request.headers.authorization ?? ''), origin);
        received.push({ path, headers: request.headers, jwt, vapidKey: key, body: Buffer.concat(chunks) });
      } catch (error) {
        refused.push(`${path}: ${(error as Error).message}`);
        response.writeHead(401).end();
        return;
      }
      response.writeHead(answers.get(path.slice(1)) ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    endpoint: (name) => `${origin}/${name}`,
    answer: (name, status) => void answers.set(name, status),
    received,
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `vapid t=<jwt>, k=<key>` (RFC 8292 §3): the JWT verified against k, its audience our origin. */
function verifyVapid(header: string, origin: string): { jwt: ReceivedPush['jwt']; key: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  if (!match) throw new Error(`no vapid authorization: ${header}`);
  const [, token, key] = match as unknown as [string, string, string];
  const [head, claims, signature] = token.split('.') as [string, string, string];
  const raw = Buffer.from(key, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is no uncompressed P-256 point');
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const header64 = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg: string };
  if (header64.alg !== 'ES256') throw new Error(`alg ${header64.alg}`);
  const valid = verify('sha256', Buffer.from(`${head}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!valid) throw new Error('bad JWT signature');
  const jwt = JSON.parse(Buffer.from(claims, 'base64url').toString()) as ReceivedPush['jwt'];
  if (jwt.aud !== origin) throw new Error(`aud ${jwt.aud}, not ${origin}`);
  if (!(jwt.exp * 1000 > Date.now())) throw new Error('expired JWT');
  return { jwt, key };
}

/** The browser's side of RFC 8291: the aes128gcm body decrypted with its private key and auth secret. */
export function decryptPush(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const senderKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = keys.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record: the data, then the delimiter 0x02, then zero padding.
  const end = padded.lastIndexOf(2);
  return padded.subarray(0, end).toString('utf8');
}
